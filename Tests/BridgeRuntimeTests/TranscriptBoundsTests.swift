import Testing

@testable import BridgeRuntime
@testable import ExecutionCore

/// Issue 9 item 5: each execute_input without an idle leaked an entry in the
/// transcript. The transcript now tracks nothing: its lines come from the core's
/// story, which is bounded and follows the core's one-shell rule.
@Suite struct TranscriptBoundsTests {
  /// The core and the transcript lines of everything it was fed.
  private struct Story {
    var core = BridgeCore(settings: NotificationPolicy(notifyOn: .none))
    var clock: Int64 = 0

    mutating func lines(_ message: IOPubMessage) -> [String] {
      clock += 1
      return core.handle(.message(message, at: ClockReading(milliseconds: clock)))
        .compactMap(ExecutionTranscript.line(for:))
    }
  }

  private func input(_ id: String, n: Int, subshell: String? = nil) -> IOPubMessage {
    IOPubMessage(
      content: .executeInput(code: "x", executionCount: n), parentMsgId: id,
      parentMsgType: "execute_request", subshellId: subshell)
  }
  private func idle(_ id: String) -> IOPubMessage {
    IOPubMessage(content: .status(.idle), parentMsgId: id)
  }

  @Test func aNewCellOnTheSameShellForgetsTheEarlierOne() {
    var t = Story()
    #expect(t.lines(input("a", n: 1)) == ["cell [1] started: x"])
    #expect(t.lines(input("b", n: 2)) == ["cell [2] started: x"])
    #expect(t.lines(idle("a")) == [])
    #expect(t.lines(idle("b")) == ["cell [2] idle"])
  }

  @Test func cellsOnOtherShellsAreKept() {
    var t = Story()
    _ = t.lines(input("main", n: 1))
    _ = t.lines(input("sub", n: 2, subshell: "s-1"))
    #expect(t.lines(idle("main")) == ["cell [1] idle"])
    #expect(t.lines(idle("sub")) == ["cell [2] idle"])
  }

  @Test func trackingIsBoundedWhateverTheKernelSends() {
    var t = Story()
    for i in 0..<10_000 { _ = t.lines(input("lost-\(i)", n: i, subshell: "s-\(i)")) }
    // The newest are the ones kept.
    #expect(t.lines(idle("lost-9999")) == ["cell [9999] idle"])
    #expect(t.lines(idle("lost-0")) == [])
  }

  @Test func errorsInterruptsAndDeathsAreWordedOnce() {
    var t = Story()
    _ = t.lines(input("a", n: 3))
    let error = IOPubMessage(
      content: .error(ename: "ZeroDivisionError", evalue: "division by zero", traceback: []),
      parentMsgId: "a", parentMsgType: "execute_request")
    #expect(t.lines(error) == ["cell [3] error: ZeroDivisionError: division by zero"])
    #expect(t.lines(error) == [], "a second error of the cell is not its story")
    _ = t.lines(idle("a"))
    _ = t.lines(input("b", n: 4))
    let interrupt = IOPubMessage(
      content: .error(ename: "KeyboardInterrupt", evalue: "", traceback: []),
      parentMsgId: "b", parentMsgType: "execute_request")
    #expect(t.lines(interrupt) == ["cell [4] interrupted (KeyboardInterrupt)"])
    let died = t.core.handle(.kernelDied(.signaled(11), at: ClockReading(milliseconds: 99)))
      .compactMap(ExecutionTranscript.line(for:))
    #expect(died.first == "kernel died: killed by signal 11 (SIGSEGV — segmentation fault)")
  }
}
