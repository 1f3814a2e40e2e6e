/// What finding a batch runner needs to know of the machine's processes (on Linux, `/proc`).
/// Every answer may be missing: a process can exit, or be another user's, at any moment.
public protocol ProcessTable: Sendable {
  /// The parent's pid, nil when unknown.
  func parent(of pid: Int32) -> Int32?
  /// The command line, each argument decoded with replacement characters; nil when unreadable.
  func commandLine(of pid: Int32) -> [String]?
  /// The working directory, nil when unreadable.
  func workingDirectory(of pid: Int32) -> String?
}

/// Finds the notebook a batch runner executes from the processes above the kernel's supervisor
/// (docs/BEHAVIOUR.md, "Settings", finding the notebook): jupyter_client, inside the runner's
/// own process, starts `jupyter-lmk run`, so the runner is its parent (or above a shell or
/// `env` that a kernelspec's argv put between them).
public enum BatchRunnerSearch {
  public enum Finding: Sendable, Equatable {
    /// `path` (absolute, existing) is run by `runner`, the process `pid`.
    case found(path: String, runner: String, pid: Int32)
    /// No notebook; `reason` completes "notebook unknown: …" for the log.
    case unknown(reason: String)
  }

  /// Processes looked at, at most: a runner is the parent or a few wrappers above it.
  static let maximumSteps = 8
  /// Characters of a command line quoted in a log line.
  static let quotedLimit = 160

  /// - Parameter pid: the first process to look at, the supervisor's parent.
  public static func find(
    from pid: Int32, in table: some ProcessTable, fileExists: (String) -> Bool
  ) -> Finding {
    var pid = pid
    for _ in 0..<maximumSteps {
      guard pid > 1 else {
        return .unknown(reason: "no batch runner above the kernel (its parent exited)")
      }
      guard let argv = table.commandLine(of: pid), let cwd = table.workingDirectory(of: pid)
      else { return .unknown(reason: "the parent (pid \(pid)) cannot be read") }
      switch BatchRunnerCommandLine.read(argv, workingDirectory: cwd) {
      case .other:
        return .unknown(
          reason: "the parent (pid \(pid), `\(quoted(argv))`) is no known batch runner")
      case .passThrough:
        guard let next = table.parent(of: pid) else {
          return .unknown(reason: "the parent of pid \(pid) cannot be read")
        }
        pid = next
      case .runner(let name, let notebooks):
        let existing = notebooks.filter(fileExists)
        var seen = Set<String>()
        let distinct = existing.filter { seen.insert($0).inserted }
        switch (distinct.first, distinct.count) {
        case (let path?, 1): return .found(path: path, runner: name, pid: pid)
        case (nil, _):
          let named = notebooks.isEmpty ? "no notebook" : "no notebook file that exists"
          return .unknown(reason: "\(name) (pid \(pid), `\(quoted(argv))`) names \(named)")
        default:
          return .unknown(
            reason:
              "\(name) (pid \(pid)) runs \(distinct.count) notebooks, and which one this kernel runs is not known"
          )
        }
      }
    }
    return .unknown(reason: "no batch runner within \(maximumSteps) processes above the kernel")
  }

  /// A command line for a log line: one line, at most `quotedLimit` characters, with control
  /// characters and backquotes shown as `?`.
  public static func quoted(_ argv: [String]) -> String {
    var text = ""
    var count = 0
    for (index, argument) in argv.enumerated() {
      for character in (index == 0 ? "" : " ") + argument {
        guard count < quotedLimit else { return text + "…" }
        let control = character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
        text.append(control || character == "`" ? "?" : character)
        count += 1
      }
    }
    return text
  }
}
