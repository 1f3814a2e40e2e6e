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
    case .memoryChanged(let reading):
      return memoryLine(reading)
    }
  }

  /// `memory: 231.4 MiB of 256 MiB, peak 240 MiB (cgroup v1)`.
  static func memoryLine(_ reading: MemoryReading) -> String {
    "memory: \(memoryFigures(reading))"
  }

  /// `231.4 MiB of 256 MiB, peak 240 MiB (cgroup v1)`: the transcript's and `status`'s words.
  static func memoryFigures(_ reading: MemoryReading) -> String {
    let figures = [
      reading.current.map {
        "\(ByteCount($0))" + (reading.limit.map { " of \(ByteCount($0))" } ?? "")
      },
      reading.peak.map { "peak \(ByteCount($0))" },
      reading.oomKills.flatMap { $0 > 0 ? "\($0) OOM kill(s)" : nil },
    ].compactMap { $0 }
    let origin =
      switch reading.source {
      case .cgroupV2: "cgroup v2"
      case .cgroupV1: "cgroup v1"
      case .processTree: "kernel process tree"
      }
    return "\(figures.joined(separator: ", ")) (\(origin))"
  }

  /// One line for a notification: `run of 2 cell(s) failed at [7]`.
  static func describe(_ intent: NotificationIntent) -> String {
    let outcome: String
    switch intent.outcome {
    case .finished: outcome = "finished"
    case .failed: outcome = "failed"
    case .cancelled: outcome = "was cancelled"
    case .kernelDied: outcome = "kernel died"
    case .memoryWarning(let warning): outcome = "reached \(warning)"
    }
    let cell = intent.cell.map { " at [\($0.executionCount)]" } ?? ""
    let memory = intent.memory.map { "; \($0)" } ?? ""
    return "run of \(intent.cellCount) cell(s) \(outcome)\(cell)\(memory)"
  }
}
