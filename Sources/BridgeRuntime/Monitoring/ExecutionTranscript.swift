import ExecutionCore

/// The lines `jupyter-lmk attach` prints (and launcher mode logs at debug level): a
/// readable live view of what the kernel executes. Pure and stateless: the core
/// decides what happened to each cell (`CoreAction.record`), this only puts it in
/// words, so the transcript and the notifications never disagree about a cell.
public enum ExecutionTranscript {
  /// The line for an action of the core, or nil when it has none.
  public static func line(for action: CoreAction) -> String? {
    switch action {
    case .record(let event): line(for: event)
    case .notify(let intent): "notify: \(describe(intent))"
    case .publishState: nil
    }
  }

  static func line(for event: ExecutionEvent) -> String? {
    switch event {
    case .cellStarted(let count, let code):
      let firstLine = code.split(separator: "\n", omittingEmptySubsequences: true).first ?? ""
      return "cell [\(count)] started: \(firstLine.prefix(80))"
    case .cellReportedError(let count, let error):
      if error.isInterrupt { return "cell [\(count)] interrupted (\(error.ename))" }
      return "cell [\(count)] error: \(error.summary)"
    case .cellEnded(let count, _, let idleSeen):
      // A cell that lost its idle ends quietly, as the kernel left it.
      return idleSeen ? "cell [\(count)] idle" : nil
    case .directiveIgnored:
      return nil  // a warning of its own (CoreDriver), not a transcript line
    case .shutdownAnnounced:
      return "kernel shutting down"
    case .kernelDied(.heartbeatLost):
      return "kernel died (heartbeat lost, connection file still present)"
    case .kernelDied(let death):
      return "kernel died: \(death.description)"
    }
  }

  /// One line for a notification: `run of 2 cell(s) failed at [7]`.
  static func describe(_ intent: NotificationIntent) -> String {
    let outcome: String
    switch intent.outcome {
    case .finished: outcome = "finished"
    case .failed: outcome = "failed"
    case .cancelled: outcome = "was cancelled"
    case .kernelDied: outcome = "kernel died"
    }
    let cell = intent.cell.map { " at [\($0.executionCount)]" } ?? ""
    return "run of \(intent.cellCount) cell(s) \(outcome)\(cell)"
  }
}
