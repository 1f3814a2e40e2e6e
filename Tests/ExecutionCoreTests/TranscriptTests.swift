import Testing

@testable import ExecutionCore

/// The core against IOPub traffic recorded from a real ipykernel 7
/// (`tools/record_transcripts.py`).
@Suite("BridgeCore on recorded ipykernel transcripts")
struct TranscriptTests {
  struct Expectation: Sendable, CustomTestStringConvertible {
    var transcript: String
    var outcomes: [RunOutcome]
    var cellCounts: [Int]
    var cellState: CellState?
    var executionNum: Int?
    var cellError: String?
    var testDescription: String { transcript }
  }

  static let expectations: [Expectation] = [
    Expectation(
      transcript: "success", outcomes: [.finished], cellCounts: [1], cellState: .success,
      executionNum: 1, cellError: ""),
    Expectation(
      transcript: "error", outcomes: [.failed], cellCounts: [1], cellState: .error,
      executionNum: 1, cellError: "ZeroDivisionError: division by zero"),
    Expectation(
      transcript: "interrupt", outcomes: [.cancelled], cellCounts: [1], cellState: .cancelled,
      executionNum: 1, cellError: ""),
    Expectation(
      transcript: "run_all_stop_on_error", outcomes: [.failed], cellCounts: [2], cellState: .error,
      executionNum: 2, cellError: "ValueError: bad red value"),
    Expectation(
      transcript: "back_to_back", outcomes: [.finished], cellCounts: [2], cellState: .success,
      executionNum: 2, cellError: ""),
    Expectation(
      transcript: "silent", outcomes: [], cellCounts: [], cellState: nil, executionNum: nil,
      cellError: nil),
    // Jedi's first completion took seconds, so the chatter splits two runs.
    Expectation(
      transcript: "chatter", outcomes: [.finished, .finished], cellCounts: [1, 1],
      cellState: .success, executionNum: 2, cellError: ""),
    Expectation(
      transcript: "output_after_idle", outcomes: [.finished], cellCounts: [1], cellState: .success,
      executionNum: 1, cellError: ""),
    Expectation(
      transcript: "subshell_overlap", outcomes: [.finished], cellCounts: [2], cellState: .success,
      executionNum: 2, cellError: ""),
    Expectation(
      transcript: "shutdown", outcomes: [.finished], cellCounts: [1], cellState: .success,
      executionNum: 1, cellError: ""),
  ]

  @Test(arguments: expectations)
  func finalStateAndNotifications(_ e: Expectation) throws {
    let messages = try TranscriptLoader.load(e.transcript)
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    for (message, at) in messages { h.send(.message(message, at: at)) }
    h.settle(at: (messages.last?.at.milliseconds ?? 0) + 60_000)
    #expect(h.notifications.map(\.outcome) == e.outcomes)
    #expect(h.notifications.map(\.cellCount) == e.cellCounts)
    #expect(h.core.snapshot.shellState == .idle)
    #expect(h.core.snapshot.cellState == e.cellState)
    #expect(h.core.snapshot.executionNum == e.executionNum)
    #expect(h.core.snapshot.cellError == e.cellError)
    // Dates come from the kernel's headers: the latest execute_input, its idle.
    let inputs = messages.filter {
      if case .executeInput = $0.message.content { true } else { false }
    }
    if let last = inputs.last?.message {
      #expect(h.core.snapshot.cellStartedAt == last.date)
      let idle = messages.last {
        $0.message.parentMsgId == last.parentMsgId && $0.message.content == .status(.idle)
      }
      #expect(h.core.snapshot.cellFinishedAt == idle?.message.date)
      #expect(h.core.snapshot.cellFinishedAt.map { $0 >= last.date! } == true)
    }
  }

  @Test(arguments: [NotifyOn.none, .error])
  func quieterPolicies(notifyOn: NotifyOn) throws {
    for e in Self.expectations {
      var h = Harness(NotificationPolicy(notifyOn: notifyOn))
      let messages = try TranscriptLoader.load(e.transcript)
      for (message, at) in messages { h.send(.message(message, at: at)) }
      h.settle(at: (messages.last?.at.milliseconds ?? 0) + 60_000)
      let expected = notifyOn == .error ? e.outcomes.filter { $0 == .failed } : []
      #expect(h.notifications.map(\.outcome) == expected, "\(e.transcript)")
    }
  }

  @Test func shutdownEndsTheRunAtOnceAndIsSeen() throws {
    let messages = try TranscriptLoader.load("shutdown")
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    for (message, at) in messages { h.send(.message(message, at: at)) }
    #expect(h.core.shutdownSeen)
    #expect(h.notifications.isEmpty)  // still inside the idle grace
    let exit = (messages.last?.at ?? ClockReading(milliseconds: 0)).adding(milliseconds: 10)
    #expect(exit < h.core.nextDeadline!)
    h.send(.kernelExited(at: exit))
    #expect(h.notifications.map(\.outcome) == [.finished])
    #expect(h.core.snapshot.shellState == .idle)
  }

  @Test func subshellCellsCarryTheirIdAndSurviveAnInterrupt() throws {
    let messages = try TranscriptLoader.load("subshell_overlap")
    #expect(messages.contains { $0.message.subshellId != nil })
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    var interrupted = false
    for (message, at) in messages {
      h.send(.message(message, at: at))
      // Right after the subshell cell starts, both cells are in flight.
      if !interrupted, message.subshellId != nil, case .executeInput = message.content {
        h.send(.interruptReachedKernel(at: at))
        interrupted = true
      }
    }
    h.settle(at: 1_000_000)
    #expect(interrupted)
    #expect(h.notifications.map(\.outcome) == [.cancelled])
    #expect(h.notifications.first?.cell?.code.hasPrefix("import time") == true)
    #expect(h.core.snapshot.cellState == .success)
  }

  @Test func tracebackOfTheRecordedErrorIsClean() throws {
    let messages = try TranscriptLoader.load("run_all_stop_on_error")
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    for (message, at) in messages { h.send(.message(message, at: at)) }
    h.settle(at: 1_000_000)
    let error = try #require(h.notifications.first?.cell?.error)
    #expect(error.tracebackTail.allSatisfy { !$0.contains("\u{1B}") })
    #expect(error.tracebackTail.last == "ValueError: bad red value")
  }
}
