import Testing

@testable import ExecutionCore

/// The core against IOPub traffic recorded from real kernels: ipykernel 7, and
/// bash_kernel and IRkernel for their error shapes (`tools/record_transcripts.py`).
@Suite("BridgeCore on recorded kernel transcripts")
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
    // Issue 11 item 4: bash_kernel's error has no name, its value is the exit status.
    Expectation(
      transcript: "bash_error", outcomes: [.failed], cellCounts: [1], cellState: .error,
      executionNum: 1, cellError: "exit status 2"),
    // IRkernel: ename ERROR, the message in evalue and again first in the traceback.
    Expectation(
      transcript: "r_error", outcomes: [.failed], cellCounts: [1], cellState: .error,
      executionNum: 1, cellError: "Error in f(): boom"),
    // A documented limit (README, "Kernels"): MetaKernel kernels (calysto_scheme) send
    // their errors only as stderr output and in the shell's execute_reply, never as an
    // IOPub error, so the cell counts as a success. Pinned, so a change is noticed.
    Expectation(
      transcript: "scheme_error", outcomes: [.finished], cellCounts: [1], cellState: .success,
      executionNum: 1, cellError: ""),
  ]

  /// The notification's error block says the error once, in words the kernel's users
  /// know (issue 11 item 4: `: 2` for bash_kernel; IRkernel's message twice).
  @Test(arguments: [("bash_error", "exit status 2"), ("r_error", "Error in f(): boom")])
  func errorBlockSaysTheErrorOnce(transcript: String, summary: String) throws {
    let messages = try TranscriptLoader.load(transcript)
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    for (message, at) in messages { h.send(.message(message, at: at)) }
    h.settle(at: 1_000_000)
    let intent = try #require(h.notifications.first)
    let text = NotificationRenderer.markdown(
      for: intent, context: NotificationContext(notebookName: "nb.ipynb"))
    let block = try #require(text.components(separatedBy: "Error:\n").last)
    #expect(block.components(separatedBy: summary).count == 2, "\(text)")
    #expect(!text.contains(": \(summary)"))
  }

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
