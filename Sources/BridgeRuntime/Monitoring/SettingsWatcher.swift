import BridgeSettings
import ExecutionCore

/// Re-reads the notebook's `metadata.lmk` every few seconds while the kernel
/// runs and reports the settings when they change (docs/BEHAVIOUR.md, "Settings").
public final class SettingsWatcher: Sendable {
  private let thread: PeriodicThread

  /// Starts watching; `onChange` gets the new settings and their sources, `onProblem` a log line
  /// (a broken re-save keeps the last good settings). Both run on the watcher's thread.
  public init(
    configuration: BridgeConfiguration, interval: Duration = .seconds(2),
    onChange: @escaping @Sendable (ResolvedSettings) -> Void,
    onProblem: @escaping @Sendable (String) -> Void
  ) {
    thread = PeriodicThread(
      name: "settings-watcher", interval: interval, waitFirst: true, state: configuration
    ) { configuration in
      let result = configuration.refreshNotebook()
      for problem in result.problems { onProblem(problem) }
      if result.changed { onChange(configuration.resolved) }
    }
  }

  deinit { thread.stop() }
}
