import ArgumentParser
import BridgeSettings
import ExecutionCore
import Logging

extension NotifyOn: ExpressibleByArgument {}

/// The flags `run` and `attach` share: the notebook, this run's settings, logging.
struct BridgeOptions: ParsableArguments {
  @Option(help: "The notebook file (default: from JPY_SESSION_NAME / the connection file).")
  var notebook: String?

  @Option(help: "When a finished run notifies: none, error or stop.")
  var notifyOn: NotifyOn?

  @Option(help: "The LMK channel to notify: its id, its name, or email/sms/push.")
  var notifyChannel: String?

  @Option(help: "Runs shorter than this many seconds do not notify.")
  var minDuration: Double?

  @Option(help: "Seconds without a running cell before a run counts as ended.")
  var idleGrace: Double?

  @Option(
    help: "Warn once per run when the kernel's memory reaches this fraction of its limit (0-1].")
  var memoryWarning: Double?

  @Option(help: "trace, debug, info, notice, warning, error or critical.")
  var logLevel: String = "info"

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
    return flags + ["--log-level", logLevel]
  }

  func validate() throws {
    for (flag, value) in [("--min-duration", minDuration), ("--idle-grace", idleGrace)] {
      if let value, SettingsPatch.milliseconds(fromSeconds: value) == nil {
        throw ValidationError(
          "\(flag) must be a number of seconds from 0 to \(Int64(SettingsPatch.maximumSeconds))")
      }
    }
    if let memoryWarning, !NotificationPolicy.isValidMemoryWarning(memoryWarning) {
      throw ValidationError(
        "--memory-warning must be a fraction of the memory limit, more than 0 and at most 1")
    }
  }

  /// Logs to stderr (Jupyter captures it) at `--log-level`; an unknown level
  /// falls back to info with a warning, so a typo never stops a kernel.
  func bootstrapLogging() -> Logger {
    let level = Logger.Level(rawValue: logLevel)
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level ?? .info
      return handler
    }
    let logger = Logger(label: "jupyter-lmk")
    if level == nil { logger.warning("unknown --log-level \(logLevel); using info") }
    return logger
  }
}
