import ArgumentParser
import BridgeSettings
import ExecutionCore
import Logging

extension NotifyOn: ExpressibleByArgument {}
/// An unknown level is a usage error, as every other bad value is.
extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The flags `run` and `attach` share: the notebook, this run's settings, logging.
struct BridgeOptions: ParsableArguments {
  @Option(help: "The notebook file (default: from JPY_SESSION_NAME / the connection file).")
  var notebook: String?

  @Option(help: "When a finished run notifies: none, error or stop.")
  var notifyOn: NotifyOn?

  @Option(help: "The LMK channel to notify: its id, its name, or email/sms/push.")
  var notifyChannel: String?

  // `.unconditional`: `--min-duration -3` reaches `validate()` (and its message) instead
  // of being taken for an unknown flag.
  @Option(parsing: .unconditional, help: "Runs shorter than this many seconds do not notify.")
  var minDuration: Double?

  @Option(
    parsing: .unconditional, help: "Seconds without a running cell before a run counts as ended.")
  var idleGrace: Double?

  @Option(
    help: "Warn once per run when the kernel's memory reaches this fraction of its limit (0-1].")
  var memoryWarning: Double?

  @Option(help: "How much to log to stderr.")
  var logLevel: Logger.Level = .info

  /// The flags as the top configured settings layer; nil when none was given.
  var settings: SettingsPatch? {
    let patch = SettingsPatch(
      notifyOn: notifyOn,
      notifyChannel: notifyChannel.map { $0.isEmpty ? .accountDefault : .channel($0) },
      // Checked conversions: `validate()` refuses what they would turn into nil.
      minDurationMilliseconds: minDuration.flatMap(SettingsPatch.milliseconds(fromSeconds:)),
      idleGraceMilliseconds: idleGrace.flatMap(SettingsPatch.milliseconds(fromSeconds:)),
      memoryWarning: memoryWarning)
    return patch.keys.isEmpty ? nil : patch
  }

  /// The flags as given, for a process that takes the same options (the
  /// supervisor passes them on to its monitor process).
  var arguments: [String] {
    var flags: [String] = []
    if let notebook { flags += ["--notebook", notebook] }
    if let notifyOn { flags += ["--notify-on", notifyOn.rawValue] }
    if let notifyChannel { flags += ["--notify-channel", notifyChannel] }
    if let minDuration { flags += ["--min-duration", "\(minDuration)"] }
    if let idleGrace { flags += ["--idle-grace", "\(idleGrace)"] }
    if let memoryWarning { flags += ["--memory-warning", "\(memoryWarning)"] }
    return flags + ["--log-level", logLevel.rawValue]
  }

  func validate() throws {
    for (flag, value) in [("--min-duration", minDuration), ("--idle-grace", idleGrace)] {
      guard let value else { continue }
      try validateSeconds(value, flag: flag)
    }
    if let memoryWarning, !NotificationPolicy.isValidMemoryWarning(memoryWarning) {
      throw ValidationError(
        "--memory-warning must be a fraction of the memory limit, more than 0 and at most 1")
    }
  }

  /// Logs to stderr (Jupyter captures it) at `--log-level`.
  func bootstrapLogging() -> Logger {
    let level = logLevel
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    return Logger(label: "jupyter-lmk")
  }
}

/// A number of seconds from the command line: ≥ 0 and at most a year (a checked
/// conversion to milliseconds), else a usage error that names the flag and the value.
private func validateSeconds(_ value: Double, flag: String) throws {
  guard value >= 0 else {
    throw ValidationError("\(flag) must be ≥ 0 seconds (got \(value))")
  }
  guard SettingsPatch.milliseconds(fromSeconds: value) != nil else {
    throw ValidationError(
      "\(flag) must be at most \(Int64(SettingsPatch.maximumSeconds)) seconds (a year; got \(value))"
    )
  }
}
