import Dispatch
import ExecutionCore
import Foundation
import LMKClient
import Logging
import Synchronization
import Testing

@testable import BridgeRuntime

/// `LMKSessionSink` over a scripted in-memory backend: coalescing, 409, retry and the
/// wrap-up budget. Every wait is for a condition, with a deadline.
@Suite struct LMKSessionSinkTests {
  static let session = "s-1"

  static func makeSink(_ backend: FakeBackend, retryDelay: Duration = .milliseconds(50))
    -> LMKSessionSink
  {
    LMKSessionSink(
      backend: backend, notebookName: "nb.ipynb", url: nil, logger: Logger(label: "test"),
      adoptedSessionId: session, retryDelay: retryDelay)
  }

  static func state(_ executionNum: Int) -> SessionSnapshot {
    SessionSnapshot(shellState: .running, cellState: .running, executionNum: executionNum)
  }

  static let intent = NotificationIntent(
    outcome: .finished, cell: nil, cellCount: 1, startedAt: nil, finishedAt: nil,
    durationMilliseconds: 1_000, notifyChannel: nil)

  @Test func publishesWhileAnUpdateIsInFlightAreCoalescedIntoOne() async throws {
    let backend = FakeBackend(updates: [.hang])
    let sink = Self.makeSink(backend)
    sink.publish(Self.state(1))
    try await waitUntil { backend.inFlight == 1 }
    for n in 2...20 { sink.publish(Self.state(n)) }
    backend.release()
    try await waitUntil { backend.updates.count == 2 && backend.inFlight == 0 }
    await finish(sink, withinMilliseconds: 2_000)
    #expect(backend.updates.map(\.executionNum) == [1, 20])
    #expect(backend.updates.allSatisfy { $0.id == Self.session })
  }

  @Test func aSessionEndedInTheAppStopsUpdatesButNotNotifications() async throws {
    let backend = FakeBackend(updates: [.conflict])
    let sink = Self.makeSink(backend)
    sink.publish(Self.state(1))
    try await waitUntil { sink.sessionId == nil }
    sink.publish(Self.state(2))
    sink.notify(Self.intent, context: NotificationContext(notebookName: "nb.ipynb"))
    try await waitUntil { backend.delivered.count == 1 }
    await finish(sink, withinMilliseconds: 2_000)
    #expect(backend.updates.map(\.executionNum) == [1])
    #expect(backend.enqueued.map(\.sessionId) == [nil])
    #expect(backend.delivered.map(\.sessionId) == [nil])
    #expect(backend.calls.contains(.wrapUp(ending: nil)))
  }

  @Test func aFailedUpdateIsRetriedAndTheFinalStateArrives() async throws {
    let backend = FakeBackend(updates: [.fail, .fail])
    let sink = Self.makeSink(backend)
    sink.publish(Self.state(1))
    try await waitUntil { backend.updates.count == 1 }
    sink.publish(Self.state(2))
    // Nothing new after the second failure: only the retry brings the state.
    try await waitUntil { backend.succeeded.count == 1 }
    await finish(sink, withinMilliseconds: 2_000)
    #expect(backend.updates.map(\.executionNum) == [1, 2, 2])
    #expect(backend.succeeded.map(\.executionNum) == [2])
  }

  @Test func finishKeepsItsBudgetWhenTheBackendHangsAndEndsTheSessionFirst() async throws {
    let backend = FakeBackend(updates: [.hang, .hang], wrapUp: .hang)
    defer { backend.release() }
    let sink = Self.makeSink(backend, retryDelay: .seconds(60))
    // The first pass (what an earlier bridge left) is over before the run begins.
    try await waitUntil { backend.calls.contains(.deliverPending) }
    sink.publish(Self.state(1))
    try await waitUntil { backend.inFlight == 1 }
    sink.notify(Self.intent, context: NotificationContext(notebookName: "nb.ipynb"))
    sink.publish(Self.state(2))
    let clock = ContinuousClock()
    let took = await clock.measure { await finish(sink, withinMilliseconds: 700) }
    #expect(took < .milliseconds(700 + 400))
    let calls = backend.calls
    let stored = try #require(calls.firstIndex(of: .enqueueEvent))
    let end = try #require(calls.firstIndex(of: .wrapUp(ending: Self.session)))
    // The event waits for the end: it was not sent before it (nor, the end hanging, after).
    #expect(stored < end)
    #expect(!calls[stored..<end].contains(.deliverPending))
    #expect(backend.delivered.isEmpty)
    #expect(backend.enqueued.map(\.sessionId) == [Self.session])
  }
}

/// Blocks a thread outside the concurrency pool, as the monitor's own thread does.
private func finish(_ sink: LMKSessionSink, withinMilliseconds milliseconds: Int64) async {
  await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
    DispatchQueue.global().async {
      sink.finish(withinMilliseconds: milliseconds)
      done.resume()
    }
  }
}

/// Polls `condition` until it holds; fails the test past `timeout`.
private func waitUntil(
  timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation,
  _ condition: () -> Bool
) async throws {
  let deadline = ContinuousClock.now + timeout
  while !condition() {
    guard ContinuousClock.now < deadline else {
      Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
      throw CancellationError()
    }
    try await Task.sleep(for: .milliseconds(2))
  }
}

/// An in-memory `SessionBackend` that records every call and answers as scripted.
final class FakeBackend: SessionBackend {
  /// How a call answers.
  enum Answer: Sendable {
    case ok
    /// `LMKError.sessionEnded` (409).
    case conflict
    /// A transport failure.
    case fail
    /// No answer until `release()`, cancellation or the call's budget runs out.
    case hang
  }

  enum Call: Sendable, Equatable {
    case createSession, updateSession, listChannels, enqueueEvent, deliverPending
    case wrapUp(ending: String?)
  }

  struct Update: Sendable, Equatable {
    var id: String
    var executionNum: Int?
  }

  private struct State {
    var updateScript: [Answer]
    var wrapUpAnswer: Answer
    var released = false
    var inFlight = 0
    var calls: [Call] = []
    var updates: [Update] = []
    var succeeded: [Update] = []
    var stored: [LMKService.Event] = []
    var enqueued: [LMKService.Event] = []
    var delivered: [LMKService.Event] = []
  }

  private let state: Mutex<State>

  /// `updates` answers the updates in turn (then `.ok`); `wrapUp` answers the wrap-up.
  init(updates: [Answer] = [], wrapUp: Answer = .ok) {
    state = Mutex(State(updateScript: updates, wrapUpAnswer: wrapUp))
  }

  var calls: [Call] { state.withLock { $0.calls } }
  var updates: [Update] { state.withLock { $0.updates } }
  var succeeded: [Update] { state.withLock { $0.succeeded } }
  var enqueued: [LMKService.Event] { state.withLock { $0.enqueued } }
  var delivered: [LMKService.Event] { state.withLock { $0.delivered } }
  /// Calls waiting in `.hang` now.
  var inFlight: Int { state.withLock { $0.inFlight } }

  /// Ends every hang, now and later.
  func release() { state.withLock { $0.released = true } }

  func createSession(name: String, state: LMKService.JupyterState, budget: RetryPolicy?)
    async throws -> LMKService.Session
  {
    record(.createSession)
    throw LMKError.http(operation: "createSession", status: 500, message: "not scripted")
  }

  func updateSession(
    id: String, state partial: LMKService.PartialJupyterState, budget: RetryPolicy?
  )
    async throws
  {
    let update = Update(id: id, executionNum: partial.executionNum.map { Int($0) })
    let answer = state.withLock { s -> Answer in
      s.calls.append(.updateSession)
      s.updates.append(update)
      return s.updateScript.isEmpty ? .ok : s.updateScript.removeFirst()
    }
    try await answering(answer, budget: budget)
    state.withLock { $0.succeeded.append(update) }
  }

  func listChannels(budget: RetryPolicy?) async throws -> [LMKService.Channel] {
    record(.listChannels)
    return []
  }

  func enqueueEvent(_ event: LMKService.Event) -> Bool {
    state.withLock {
      $0.calls.append(.enqueueEvent)
      $0.enqueued.append(event)
      $0.stored.append(event)
    }
    return true
  }

  func deliverPending(
    budget: RetryPolicy?, preparing prepare: (LMKService.Event) -> LMKService.Event
  ) async -> LMKService.OutboxReport {
    // Cut short (an interrupted pass), it sends nothing, as `LMKService` does.
    let cancelled = Task.isCancelled
    let events = state.withLock { s -> [LMKService.Event] in
      s.calls.append(.deliverPending)
      guard !cancelled else { return [] }
      defer { s.stored.removeAll() }
      return s.stored
    }
    if cancelled { return LMKService.OutboxReport(remaining: state.withLock { $0.stored.count }) }
    let sent = events.map(prepare)
    state.withLock { $0.delivered.append(contentsOf: sent) }
    return LMKService.OutboxReport(delivered: sent.count)
  }

  func wrapUp(
    ending id: String?, plan: WrapUpPlan, startedAt started: ContinuousClock.Instant,
    preparer: () async -> @Sendable (LMKService.Event) -> LMKService.Event
  ) async -> SessionWrapUp {
    let answer = state.withLock { s -> Answer in
      s.calls.append(.wrapUp(ending: id))
      return s.wrapUpAnswer
    }
    // Past its own plan when it hangs: the sink must still keep the budget.
    if (try? await answering(answer, budget: nil)) == nil {
      return SessionWrapUp(sessionEnded: false, eventsRemaining: state.withLock { $0.stored.count })
    }
    let prepare = await preparer()
    let report = await deliverPending(budget: plan.events(left: plan.eventsDeadline)) {
      prepare($0)
    }
    return SessionWrapUp(sessionEnded: id != nil, eventsRemaining: report.remaining)
  }

  private func record(_ call: Call) { state.withLock { $0.calls.append(call) } }

  private func answering(_ answer: Answer, budget: RetryPolicy?) async throws {
    switch answer {
    case .ok: return
    case .conflict: throw LMKError.sessionEnded(sessionID: LMKSessionSinkTests.session)
    case .fail:
      throw LMKError.transport(
        operation: "updateSession", code: 7, message: "connection refused", retryable: true)
    case .hang:
      state.withLock { $0.inFlight += 1 }
      defer { state.withLock { $0.inFlight -= 1 } }
      let deadline = budget.map { ContinuousClock.now + $0.totalBudget }
      while !state.withLock({ $0.released }) {
        try Task.checkCancellation()
        if let deadline, ContinuousClock.now >= deadline {
          throw LMKError.transport(
            operation: "updateSession", code: 28, message: "timed out", retryable: true)
        }
        try await Task.sleep(for: .milliseconds(2))
      }
    }
  }
}
