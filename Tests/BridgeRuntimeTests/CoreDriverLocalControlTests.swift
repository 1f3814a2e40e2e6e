import BridgeSettings
import ExecutionCore
import Foundation
import TestSupport
import Testing

@testable import BridgeRuntime

/// What `CoreDriver` tells local control: each remote value with who set it last
/// (an echo of the app changes nothing), the one-shot gone after the run, and the
/// notification decided.
@Suite struct CoreDriverLocalControlTests {
  @Test func remoteValuesKeepTheirSourceUntilTheRunEnds() throws {
    let root = try TemporaryDirectory()
    let folder = LocalControlFolder(path: root.path)
    let lines = Recorded<String>()
    let control = try #require(
      LocalControl(
        folder: folder, connectionFile: "/run/kernel-k1.json", mode: .launcher, supervisorPid: 1,
        kernelPid: 2, outboxDirectory: root.path + "/outbox", log: lines.append))
    control.configure(
      notebook: "/nb/a.ipynb", name: "a.ipynb", configured: ResolvedSettings.resolve([]),
      sendsNotifications: true)
    control.start { _ in }
    defer { control.stop() }
    let driver = CoreDriver(
      settings: .defaults, context: NotificationContext(notebookName: "a.ipynb"),
      sink: RecordingSink(), emit: { _ in }, warn: { _ in }, localControl: control)
    func sources() throws -> [String: String] {
      var seen: [String: String] = [:]
      try waitFor { () -> Bool in
        guard let state = folder.liveState(kernelId: "k1") else { return false }
        seen = Dictionary(
          uniqueKeysWithValues: state.settings.map { ($0.key, "\($0.value) from \($0.source)") })
        return true
      }
      return seen
    }

    driver.receive(.remoteSettings(notifyOn: .stop, notifyChannel: nil, from: .terminal), at: at(0))
    driver.receive(.remoteSettings(notifyOn: .stop, notifyChannel: "sms", from: .app), at: at(1))
    try waitFor { (try? sources())?["notifyChannel"] == "sms from the LMK app" }
    #expect(try sources()["notifyOn"] == "stop from a terminal (one-shot)")

    // An event of this process waits in the outbox (as the sink would have queued it).
    let entry = try root.write("outbox/00000000000000000001-\(getpid())-ab.json", "{}")
    // A run starts and ends: one notification, and the one-shot is gone.
    driver.receive(
      IOPubMessage(
        content: .executeInput(code: "1", executionCount: 1), parentMsgId: "c1",
        parentMsgType: "execute_request"), at: at(10))
    driver.receive(IOPubMessage(content: .status(.idle), parentMsgId: "c1"), at: at(20))
    driver.tick(at: at(5_000))
    try waitFor { (try? sources())?["notifyOn"] == "none from built-in default" }
    #expect(try sources()["notifyChannel"] == "sms from the LMK app")
    // Queued while the outbox holds an event of this process, delivered once it is gone.
    try waitFor {
      let state = folder.liveState(kernelId: "k1")
      return state?.lastNotification?.delivery == "queued" && state?.outboxBacklog == 1
    }
    unlink(entry)
    try waitFor {
      let state = folder.liveState(kernelId: "k1")
      return state?.lastNotification?.delivery == "delivered" && state?.outboxBacklog == 0
    }
    let state = try #require(folder.liveState(kernelId: "k1"))
    #expect(state.lastNotification?.summary.hasPrefix("run of 1 cell(s) finished") == true)
  }

  private func at(_ ms: Int64) -> ClockReading { ClockReading(milliseconds: ms) }

  private func waitFor(_ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while try !condition() {
      if ContinuousClock.now > deadline { throw LocalControlTests.TimedOut(what: "state") }
      Thread.sleep(forTimeInterval: 0.01)
    }
  }
}
