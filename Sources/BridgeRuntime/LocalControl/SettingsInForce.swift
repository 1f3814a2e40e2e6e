import BridgeSettings
import ExecutionCore

/// The settings a bridge applies now, each with who set it: the configured layers
/// (defaults, config file, notebook metadata, command line), then the core's
/// overlay (cell directives, the LMK app, a terminal), as the core stacks them
/// (`BridgeCore.effectiveSettings`). Pure: `ps` shows it, `notify` answers with it.
public enum SettingsInForce {
  /// One row per setting key, in `SettingKey` order.
  public static func list(configured: ResolvedSettings, overlay: SettingsOverlay)
    -> [BridgeState.Setting]
  {
    let directive = overlay.directive
    var settings = directive.applied(to: configured.settings)
    var sources: [SettingKey: String] = [:]
    for key in SettingKey.allCases { sources[key] = configured.source(of: key).description }
    let directiveKeys: [(SettingKey, Bool)] = [
      (.notifyOn, directive.notifyOn != nil), (.notifyChannel, directive.notifyChannel != nil),
      (.minDuration, directive.minDurationMilliseconds != nil),
      (.memoryWarning, directive.memoryWarning != nil),
    ]
    for (key, set) in directiveKeys where set { sources[key] = "cell directive" }
    if let notifyOn = overlay.remoteNotifyOn {
      settings.notifyOn = notifyOn
      sources[.notifyOn] = "\(overlay.remoteNotifyOnSource?.rawValue ?? "remote") (one-shot)"
    }
    if let channel = overlay.remoteChannel {
      settings.notifyChannel = channel
      sources[.notifyChannel] = overlay.remoteChannelSource?.rawValue ?? "remote"
    }
    return SettingKey.allCases.map {
      BridgeState.Setting(
        key: $0.rawValue, value: displayValue(of: $0, in: settings), source: sources[$0] ?? "")
    }
  }

  /// A setting's value in words (`stop`, `60.0 s`, `(account default)`, `off`).
  public static func displayValue(of key: SettingKey, in settings: NotificationPolicy) -> String {
    switch key {
    case .notifyOn: settings.notifyOn.rawValue
    case .notifyChannel: settings.notifyChannel ?? "(account default)"
    case .minDuration: "\(Double(settings.minDurationMilliseconds) / 1000) s"
    case .idleGrace: "\(Double(settings.idleGraceMilliseconds) / 1000) s"
    case .notifyOnDeath: "\(settings.notifyOnDeath)"
    case .memoryWarning: settings.memoryWarning.map { "\($0)" } ?? "off"
    }
  }

  /// `notify`'s answer once the bridge applied `request`: what is armed now and what
  /// it returns to (`will notify when the current run stops (one-shot; then back to
  /// "none" from the config file)`), or that nothing needed arming.
  public static func answer(
    to request: NotifyRequest, configured: ResolvedSettings, overlay: SettingsOverlay
  ) -> String {
    let afterwards = overlay.directive.applied(to: configured.settings).notifyOn
    let from =
      overlay.directive.notifyOn != nil
      ? "a cell directive" : shortName(configured.source(of: .notifyOn))
    let channel = request.channel.map { "; channel \"\($0)\" from now on" } ?? ""
    guard overlay.remoteNotifyOn == request.notifyOn, overlay.remoteNotifyOnSource == .terminal
    else {
      let now = list(configured: configured, overlay: overlay).first { $0.key == "notifyOn" }
      return "notifyOn is already \"\(now?.value ?? afterwards.rawValue)\" (from "
        + "\(now?.source ?? from)): nothing to arm\(channel)"
    }
    let run = overlay.runInProgress ? "the current run" : "the next run"
    let what =
      switch request.notifyOn {
      case .stop: "will notify when \(run) stops"
      case .error: "will notify if \(run) fails"
      case .none: "will not notify when \(run) ends"
      }
    return "\(what) (one-shot; then back to \"\(afterwards.rawValue)\" from \(from))\(channel)"
  }

  /// A layer in a few words, for a sentence.
  static func shortName(_ source: SettingSource) -> String {
    switch source {
    case .defaults: "the built-in default"
    case .userConfig: "the config file"
    case .userConfigRule(_, let index, _): "the config file's notebooks[\(index)]"
    case .notebookMetadata: "the notebook's metadata.lmk"
    case .commandLine: "the command line"
    }
  }
}
