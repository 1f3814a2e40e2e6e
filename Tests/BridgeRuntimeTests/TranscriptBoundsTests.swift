import Testing

@testable import BridgeRuntime
@testable import ExecutionCore

/// Issue 9 item 5: each execute_input without an idle leaked an entry in the
/// transcript; its tracking is bounded and follows the core's one-shell rule.
@Suite struct TranscriptBoundsTests {
  private func input(_ id: String, n: Int, subshell: String? = nil) -> IOPubMessage {
    IOPubMessage(
      content: .executeInput(code: "x", executionCount: n), parentMsgId: id,
      parentMsgType: "execute_request", subshellId: subshell)
  }
  private func idle(_ id: String) -> IOPubMessage {
    IOPubMessage(content: .status(.idle), parentMsgId: id)
  }

  @Test func aNewCellOnTheSameShellForgetsTheEarlierOne() {
    var t = ExecutionTranscript()
    #expect(t.line(for: input("a", n: 1)) == "cell [1] started: x")
    #expect(t.line(for: input("b", n: 2)) == "cell [2] started: x")
    #expect(t.line(for: idle("a")) == nil)
    #expect(t.line(for: idle("b")) == "cell [2] idle")
    #expect(t.trackedCells == 0)
  }

  @Test func cellsOnOtherShellsAreKept() {
    var t = ExecutionTranscript()
    _ = t.line(for: input("main", n: 1))
    _ = t.line(for: input("sub", n: 2, subshell: "s-1"))
    #expect(t.line(for: idle("main")) == "cell [1] idle")
    #expect(t.line(for: idle("sub")) == "cell [2] idle")
  }

  @Test func trackingIsBoundedWhateverTheKernelSends() {
    var t = ExecutionTranscript()
    for i in 0..<10_000 { _ = t.line(for: input("lost-\(i)", n: i, subshell: "s-\(i)")) }
    #expect(t.trackedCells <= ExecutionTranscript.maximumTrackedCells)
    // The newest are the ones kept.
    #expect(t.line(for: idle("lost-9999")) == "cell [9999] idle")
    #expect(t.line(for: idle("lost-0")) == nil)
  }
}
