import Foundation
import LMKClient

/// The LMK operations `LMKSessionSink` uses, and nothing more: `LMKService` in the
/// bridge, a scripted fake in the tests (`LMKSessionSinkTests`).
///
/// The contract is `LMKService`'s: a call with a budget gives up within it; an update of a
/// session the user ended throws `LMKError.sessionEnded`; `enqueueEvent` never blocks on
/// the network (the event is durable, or held in memory, before it returns).
package protocol SessionBackend: Sendable {
  /// Creates the session shown in the LMK app.
  func createSession(name: String, state: LMKService.JupyterState, budget: RetryPolicy?)
    async throws -> LMKService.Session
  /// Sends a partial state; `LMKError.sessionEnded` on a 409.
  func updateSession(id: String, state: LMKService.PartialJupyterState, budget: RetryPolicy?)
    async throws
  func listChannels(budget: RetryPolicy?) async throws -> [LMKService.Channel]
  /// Stores the event for `deliverPending`; false when it is only held in memory.
  @discardableResult
  func enqueueEvent(_ event: LMKService.Event) -> Bool
  /// Sends what is stored, each event adjusted by `prepare` just before it goes out.
  func deliverPending(
    budget: RetryPolicy?, preparing prepare: (LMKService.Event) -> LMKService.Event
  ) async -> LMKService.OutboxReport
  /// The network part of the wrap-up: the end of the session first, then the events
  /// (see `LMKService.wrapUp`).
  func wrapUp(
    ending id: String?, plan: WrapUpPlan, startedAt started: ContinuousClock.Instant,
    preparer: () async -> @Sendable (LMKService.Event) -> LMKService.Event
  ) async -> SessionWrapUp
}

/// What the wrap-up achieved, as the sink reports it.
package struct SessionWrapUp: Sendable, Equatable {
  /// LMK confirmed the end of the session.
  package var sessionEnded: Bool
  /// Events left in the outbox for a later bridge.
  package var eventsRemaining: Int

  package init(sessionEnded: Bool, eventsRemaining: Int) {
    self.sessionEnded = sessionEnded
    self.eventsRemaining = eventsRemaining
  }
}

extension LMKService: SessionBackend {
  package func wrapUp(
    ending id: String?, plan: WrapUpPlan, startedAt started: ContinuousClock.Instant,
    preparer: () async -> @Sendable (LMKService.Event) -> LMKService.Event
  ) async -> SessionWrapUp {
    let report = await wrapUp(
      endingSession: id, plan: plan, startedAt: started, preparer: preparer)
    return SessionWrapUp(
      sessionEnded: report.sessionEnded, eventsRemaining: report.events.remaining)
  }
}
