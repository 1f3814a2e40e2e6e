import Foundation
import Testing

@testable import LMKClient

/// A session "nb" created on the stand-in.
func openSession(_ service: LMKService) async throws -> LMKService.Session {
  try await service.createSession(
    name: "nb",
    state: .init(_type: .jupyter, notebookName: "nb", shellState: "idle", notifyOn: "error"))
}

/// Issue 9 item 10: a session is always ended. An end that could not be sent is kept
/// durably next to the outbox and sent by a later process; at wrap-up the end comes
/// before the retries of what is already durable, within the exit deadline.
@Suite(.serialized) struct SessionEndTests {
  @Test func anEndThatFailedIsSentByALaterService() async throws {
    let standIn = try await StandIn.startLoggedIn()
    defer { standIn.stop() }
    let first = try standIn.service()
    let session = try await openSession(first)
    try await standIn.fault(method: "POST", path: "/end$", status: 503, count: 100)
    #expect(await first.endSessionOrKeep(id: session.sessionId, budget: .shutdown) == false)
    #expect(first.outbox.pendingEnds().map(\.sessionID) == [session.sessionId])
    try await standIn.clearFaults()

    // A later bridge (a new process in real life: only the files are shared).
    let later = try standIn.service()
    let report = await later.deliverPending()
    #expect(report.sessionsEnded == 1)
    #expect(later.outbox.pendingEnds().isEmpty)
    #expect(try await standIn.sessions().first?["ended"] as? Bool == true)
  }

  @Test func anEndForASessionLMKDoesNotKnowIsNotKeptForever() async throws {
    let standIn = try await StandIn.startLoggedIn()
    defer { standIn.stop() }
    let service = try standIn.service()
    try await standIn.fault(method: "POST", path: "/end$", status: 503, count: 100)
    #expect(await service.endSessionOrKeep(id: "no-such-session", budget: .shutdown) == false)
    try await standIn.clearFaults()
    _ = await service.deliverPending()
    #expect(service.outbox.pendingEnds().isEmpty)
  }

  /// The wrap-up schedule: the end's share starts early and fits with the rest.
  @Test(arguments: [700, 1500, 3000])
  func theWrapUpScheduleLeavesTheEndItsShare(_ milliseconds: Int) {
    let total = Duration.milliseconds(milliseconds)
    let plan = WrapUpPlan(total: total)
    // Even if the request in flight and the final state each use all their time, the end
    // starts within the first third and everything ends before the deadline.
    #expect(plan.inFlightGrace + plan.state.totalBudget <= total / 3)
    #expect(plan.end.totalBudget >= total / 3)
    #expect(plan.end.maxAttempts >= 2)
    #expect(plan.state.maxAttempts == 1)
    #expect(plan.eventsDeadline <= total * 0.9)
    #expect(
      plan.inFlightGrace + plan.state.totalBudget + plan.end.totalBudget <= plan.eventsDeadline)
  }
}

/// The wrap-up order and budget against the stand-in: with every `POST /v1/event`
/// answering 503, the end still arrives, before any further attempt of the event, and the
/// whole wrap-up fits in the launcher's 700 ms.
@Suite(.serialized) struct WrapUpTests {
  @Test func theEndComesFirstAndEverythingFitsTheDeadline() async throws {
    let standIn = try await StandIn.startLoggedIn()
    defer { standIn.stop() }
    let service = try standIn.service()
    let session = try await openSession(service)
    try await standIn.fault(method: "POST", path: "^/v1/event$", status: 503, count: 1000)
    _ = try await service.postEvent(.init(message: "kept"), budget: .shutdown)
    let before = try await standIn.requests().count

    let started = ContinuousClock.now
    let report = await service.wrapUp(
      endingSession: session.sessionId, plan: WrapUpPlan(total: .milliseconds(700)),
      startedAt: started)
    let took = ContinuousClock.now - started

    #expect(report.sessionEnded)
    #expect(report.events.remaining == 1)
    #expect(took < .milliseconds(700), "wrap-up took \(took)")
    let during = try await standIn.requests().dropFirst(before).map {
      "\($0["method"] as? String ?? "") \($0["path"] as? String ?? "")"
    }
    #expect(during.first == "POST /v1/session/\(session.sessionId)/end")
    #expect(service.outbox.pending().count == 1)
    #expect(try await standIn.sessions().first?["ended"] as? Bool == true)
  }

  @Test func anEndThatFailsAtWrapUpIsKeptAndTheDeadlineHolds() async throws {
    let standIn = try await StandIn.startLoggedIn()
    defer { standIn.stop() }
    let service = try standIn.service()
    let session = try await openSession(service)
    try await standIn.fault(method: "POST", path: "", delayMs: 3000, count: 1000)
    let started = ContinuousClock.now
    let report = await service.wrapUp(
      endingSession: session.sessionId, plan: WrapUpPlan(total: .milliseconds(700)),
      startedAt: started)
    // The plan's 700 ms, plus scheduling slack on a loaded 2-core machine; the
    // supervisor's own exit deadline (900 ms after a shutdown) is what must hold.
    #expect(ContinuousClock.now - started < .milliseconds(850))
    #expect(!report.sessionEnded)
    #expect(service.outbox.pendingEnds().map(\.sessionID) == [session.sessionId])
  }
}
