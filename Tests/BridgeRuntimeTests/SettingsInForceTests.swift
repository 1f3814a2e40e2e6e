import BridgeSettings
import ExecutionCore
import Testing

@testable import BridgeRuntime

/// Who set each setting, as the core stacks them, and `notify`'s answer.
@Suite struct SettingsInForceTests {
  let configured = ResolvedSettings.resolve([
    SettingsLayer(
      source: .userConfig(file: "/c.json"), patch: SettingsPatch(notifyOn: NotifyOn.none)),
    SettingsLayer(source: .commandLine, patch: SettingsPatch(minDurationMilliseconds: 60_000)),
  ])

  @Test func eachSettingHasItsSource() {
    var overlay = SettingsOverlay()
    overlay.directive = CellDirective(notifyChannel: "sms", memoryWarning: 0.9)
    overlay.remoteNotifyOn = .error
    overlay.remoteNotifyOnSource = .app
    let rows = SettingsInForce.list(configured: configured, overlay: overlay)
    #expect(
      rows.map { "\($0.key)=\($0.value) from \($0.source)" } == [
        "notifyOn=error from the LMK app (one-shot)",
        "notifyChannel=sms from cell directive",
        "minDuration=60.0 s from command line",
        "idleGrace=1.0 s from built-in default",
        "notifyOnDeath=true from built-in default",
        "memoryWarning=0.9 from cell directive",
      ])
  }

  @Test func answers() {
    func answer(_ request: NotifyRequest, _ change: (inout SettingsOverlay) -> Void) -> String {
      var overlay = SettingsOverlay()
      change(&overlay)
      return SettingsInForce.answer(to: request, configured: configured, overlay: overlay)
    }
    let stop = NotifyRequest(nonce: "n", notifyOn: .stop, channel: nil)
    #expect(
      answer(stop) {
        $0.remoteNotifyOn = .stop
        $0.remoteNotifyOnSource = .terminal
        $0.runInProgress = true
      }
        == "will notify when the current run stops (one-shot; then back to \"none\" from the config file)"
    )
    #expect(
      answer(NotifyRequest(nonce: "n", notifyOn: .error, channel: "sms")) {
        $0.remoteNotifyOn = .error
        $0.remoteNotifyOnSource = .terminal
        $0.directive = CellDirective(notifyOn: .stop)
      }
        == "will notify if the next run fails (one-shot; then back to \"stop\" from a cell directive); channel \"sms\" from now on"
    )
    // Already so: the core arms nothing.
    #expect(
      answer(NotifyRequest(nonce: "n", notifyOn: .none, channel: nil)) { _ in }
        == "notifyOn is already \"none\" (from /c.json): nothing to arm")
  }
}
