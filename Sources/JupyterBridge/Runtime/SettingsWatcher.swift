import Dispatch
import Synchronization

/// Re-reads the notebook's `metadata.lmk` every few seconds while the kernel
/// runs and reports the settings when they change (PRODUCT.md §4 layer 3).
public final class SettingsWatcher: @unchecked Sendable {
  // The timer is created and cancelled once; the configuration is only touched on `queue`.
  private let timer: DispatchSourceTimer
  private let queue = DispatchQueue(label: "jupyter-lmk.settings")

  /// Starts watching; `onChange` gets the new settings, `onProblem` a log line
  /// (a broken re-save keeps the last good settings).
  public init(
    configuration: BridgeConfiguration, intervalMilliseconds: Int = 2000,
    onChange: @escaping @Sendable (MonitorSettings) -> Void,
    onProblem: @escaping @Sendable (String) -> Void
  ) {
    let current = Mutex(configuration)
    timer = DispatchSource.makeTimerSource(queue: queue)
    timer.schedule(
      deadline: .now() + .milliseconds(intervalMilliseconds),
      repeating: .milliseconds(intervalMilliseconds))
    timer.setEventHandler {
      let (changed, problem, settings) = current.withLock { configuration in
        let result = configuration.refreshNotebook()
        return (result.changed, result.problem, configuration.resolved.settings)
      }
      if let problem { onProblem(problem) }
      if changed { onChange(settings) }
    }
    timer.resume()
  }

  deinit { timer.cancel() }
}
