import BridgeSettings
import ExecutionCore
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import BridgeRuntime

/// The bridge's side: a request file is taken in (removed, garbage counted), handed
/// on, answered in the state file once the core applied it; the state file goes at stop.
@Suite struct LocalControlTests {
  @Test func takesARequestAndAnswersIt() throws {
    let root = try TemporaryDirectory()
    let folder = LocalControlFolder(path: root.path + "/jupyter-lmk")
    let lines = Recorded<String>()
    let control = try #require(
      LocalControl(
        folder: folder, connectionFile: "/run/kernel-abc.json", mode: .attach, supervisorPid: nil,
        kernelPid: nil, outboxDirectory: root.path + "/outbox", log: lines.append))
    let configured = ResolvedSettings.resolve([
      SettingsLayer(
        source: .userConfig(file: "/c.json"), patch: SettingsPatch(notifyOn: NotifyOn.none))
    ])
    control.configure(
      notebook: nil, name: "k kernel", configured: configured, sendsNotifications: false)
    let armed = Recorded<NotifyRequest>()
    control.start { request in
      armed.append(request)
      // What CoreDriver does once the core took the change in.
      var overlay = SettingsOverlay()
      overlay.remoteNotifyOn = request.notifyOn
      overlay.remoteNotifyOnSource = .terminal
      overlay.runInProgress = true
      control.overlayChanged(overlay)
      control.remoteApplied(from: .terminal)
    }
    let statePath = folder.statePath(kernelId: "abc")
    try waitFor("the state file") { folder.liveState(kernelId: "abc") != nil }

    let requestPath = folder.requestPath(kernelId: "abc")
    folder.writeAtomically(Data("garbage".utf8), to: requestPath)
    try waitFor("the garbage to be taken") { !FileManager.default.fileExists(atPath: requestPath) }
    #expect(control.ignoredRequests == 1)
    #expect(lines.all.contains { $0.hasPrefix("ignored a request in \(requestPath)") })

    let request = NotifyRequest.make(notifyOn: .stop, channel: nil)
    folder.writeAtomically(request.encoded(), to: requestPath)
    try waitFor("the answer") {
      folder.liveState(kernelId: "abc")?.acknowledged.last?.nonce == request.nonce
    }
    let state = try #require(folder.liveState(kernelId: "abc"))
    #expect(armed.all == [request])
    #expect(
      state.acknowledged.last?.message
        == "will notify when the current run stops (one-shot; then back to \"none\" from the config file)"
    )
    #expect(
      state.settings.first == .init(key: "notifyOn", value: "stop", source: "a terminal (one-shot)")
    )
    #expect(state.mode == .attach && state.name == "k kernel" && state.socket == "off")

    control.socketChanged("connected")
    try waitFor("the socket state") { folder.liveState(kernelId: "abc")?.socket == "connected" }
    // Removed by a reader that took it for a dead bridge's: it comes back.
    unlink(statePath)
    try waitFor("the state file again") { folder.liveState(kernelId: "abc") != nil }
    control.stop()
    #expect(!FileManager.default.fileExists(atPath: statePath))
  }

  @Test func aSecondBridgeOfTheSameKernelHasNoLocalControl() throws {
    let root = try TemporaryDirectory()
    let folder = LocalControlFolder(path: root.path)
    var other = BridgeStateTests.state(id: "abc", pid: getppid())
    other.pidStartTicks = nil
    folder.writeAtomically(other.encoded(), to: folder.statePath(kernelId: "abc"))
    let lines = Recorded<String>()
    let control = LocalControl(
      folder: folder, connectionFile: "/run/kernel-abc.json", mode: .attach, supervisorPid: nil,
      kernelPid: nil, outboxDirectory: root.path, log: lines.append)
    #expect(control == nil)
    #expect(lines.all.first?.contains("already has a bridge") == true)
  }

  private func waitFor(_ what: String, _ condition: () -> Bool) throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() {
      if ContinuousClock.now > deadline { throw TimedOut(what: what) }
      Thread.sleep(forTimeInterval: 0.01)
    }
  }

  struct TimedOut: Error { let what: String }
}

/// Values another thread hands over, in order.
final class Recorded<Value: Sendable>: Sendable {
  private let values = Mutex<[Value]>([])
  @Sendable func append(_ value: Value) { values.withLock { $0.append(value) } }
  var all: [Value] { values.withLock { $0 } }
}
