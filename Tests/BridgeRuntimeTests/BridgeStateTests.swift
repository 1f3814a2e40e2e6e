import Foundation
import Testing

@testable import BridgeRuntime

/// The state file round-trips; anything else (another layout, garbage, a huge file)
/// is no state, so `ps` passes over it.
@Suite struct BridgeStateTests {
  static func state(
    id: String = "1a2b3c4d", pid: Int32 = 100, startedAt: Int64 = 1_000, notebook: String? = nil
  ) -> BridgeState {
    BridgeState(
      kernelId: id, connectionFile: "/run/kernel-\(id).json", notebook: notebook,
      name: notebook.map { ($0 as NSString).lastPathComponent } ?? "python3 kernel",
      mode: .launcher, pid: pid, pidStartTicks: 7, supervisorPid: 99, kernelPid: 101,
      startedAtMilliseconds: startedAt)
  }

  @Test func roundTripsWithEveryField() throws {
    var state = Self.state(notebook: "/nb/analysis.ipynb")
    state.settings = [.init(key: "notifyOn", value: "stop", source: "a terminal (one-shot)")]
    state.sessionId = "s-1"
    state.socket = "connected"
    state.lastNotification = .init(
      atMilliseconds: 5, summary: "run of 1 cell(s) finished", delivery: "queued")
    state.outboxBacklog = 3
    state.memory = "12 MiB (kernel process tree)"
    state.acknowledge(.init(nonce: "n", message: "will notify"))
    #expect(BridgeState.decode(state.encoded()) == state)
  }

  @Test func keepsTheNewestAcknowledgements() {
    var state = Self.state()
    for index in 0..<10 { state.acknowledge(.init(nonce: "n\(index)", message: "")) }
    #expect(state.acknowledged.map(\.nonce) == ["n6", "n7", "n8", "n9"])
  }

  @Test func garbageIsNoState() throws {
    var other = try #require(
      JSONSerialization.jsonObject(with: Self.state().encoded()) as? [String: Any])
    other["version"] = 2
    var noPid = other
    noPid["version"] = 1
    noPid["pid"] = 0
    for data in [
      Data(), Data("{".utf8), Data("[]".utf8), Data("{\"pid\": 1}".utf8),
      try JSONSerialization.data(withJSONObject: other),
      try JSONSerialization.data(withJSONObject: noPid),
      Data(repeating: 0x20, count: BridgeState.sizeLimit + 1),
    ] {
      #expect(BridgeState.decode(data) == nil)
    }
  }
}
