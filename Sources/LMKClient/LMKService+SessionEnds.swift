import Foundation
import Logging

extension LMKService {
  /// Ends the session, and when LMK cannot confirm it now keeps the end durably (a
  /// `.end` entry in the outbox) for `deliverPending` here or in a later bridge: a
  /// session is always ended. True when LMK confirmed (or the session was already ended).
  public func endSessionOrKeep(id: String, budget: RetryPolicy? = nil) async -> Bool {
    do {
      try await endSession(id: id, budget: budget)
      return true
    } catch let error as LMKError where error.isDefinitiveRejection {
      logger.warning("LMK refused to end session \(id) for good: \(error)")
      return true
    } catch {
      logger.warning(
        "LMK session \(id) could not be ended now (\(error)); kept for a later attempt")
      _ = outbox.addEnd(sessionID: id)
      return false
    }
  }

  /// Sends the ends an earlier attempt kept; stops at the first failure to retry later.
  func sendPendingEnds(_ report: inout OutboxReport, budget: RetryPolicy?) async {
    for end in outbox.pendingEnds() {
      guard !RetryMiddleware.isInterrupted, let claim = outbox.claim(end.entry) else { continue }
      defer { claim.release() }
      do {
        try await endSession(id: end.sessionID, budget: budget)
        report.sessionsEnded += 1
        outbox.remove(end.entry)
      } catch let error as LMKError where error.isDefinitiveRejection {
        logger.info("LMK session \(end.sessionID) cannot be ended (\(error)); forgetting the end")
        outbox.remove(end.entry)
      } catch {
        return
      }
    }
  }
}

extension LMKService {
  /// What `wrapUp` achieved.
  public struct WrapUpReport: Sendable, Equatable {
    /// LMK confirmed the end (false: it is kept for a later bridge, or there was no session).
    public var sessionEnded: Bool
    public var events: OutboxReport
  }

  /// The network part of a bridge's wrap-up, after its final state: the end of the
  /// session first (kept durably when LMK cannot confirm it), then the outbox with what is
  /// left before `plan.eventsDeadline` (measured from `started`). The events are already
  /// durable, so they may wait for a later bridge; an open session would not be ended.
  /// `preparer` runs after the end, only when there is time for the events (it may ask LMK
  /// for what the events need, e.g. the channel list) and returns how to adjust each one.
  public func wrapUp(
    endingSession id: String?, plan: WrapUpPlan, startedAt started: ContinuousClock.Instant,
    preparer: () async -> @Sendable (Event) -> Event = { { $0 } }
  ) async -> WrapUpReport {
    var ended = false
    if let id { ended = await endSessionOrKeep(id: id, budget: plan.end) }
    var events = OutboxReport()
    if started + plan.eventsDeadline - .now > .milliseconds(20) {
      let prepare = await preparer()
      let left = started + plan.eventsDeadline - .now
      events = await deliverPending(budget: plan.events(left: left), preparing: prepare)
    } else {
      events.remaining = outbox.pending().count + unsavedEventCount
    }
    return WrapUpReport(sessionEnded: ended, events: events)
  }
}
