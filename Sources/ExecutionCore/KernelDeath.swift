/// Why the kernel died, as far as the bridge knows (docs/BEHAVIOUR.md, "Semantics" and "Kernel memory").
///
/// A value, not text: each mode says what it saw, and the words are written
/// once, here (`description`, and `cellError` for the LMK session).
public enum KernelDeath: Sendable, Equatable {
  /// Launcher mode: the kernel exited with a non-zero status, no shutdown seen.
  case exited(status: Int32)
  /// Launcher mode: killed by a signal Jupyter did not send, with no sign of
  /// the out-of-memory killer.
  case signaled(Int32)
  /// Launcher mode: killed while the kernel's memory cgroup counted an
  /// out-of-memory kill; the limit and peak where known.
  case outOfMemory(limit: UInt64?, peak: UInt64?)
  /// Attach mode: the heartbeat stopped while the connection file remained.
  case heartbeatLost
  /// Attach mode: the kernel started afresh (`starting`) with no shutdown
  /// before it: Jupyter's restarter brought a dead kernel back.
  case restarted

  /// `cellError` of a death, and the error line of its notification.
  public var cellError: String { "KernelDied: \(description)" }

  /// The death in words, e.g. `killed by signal 11 (SIGSEGV — segmentation fault)`.
  public var description: String {
    switch self {
    case .exited(let status):
      return "exited with status \(status)"
    case .signaled(let signal):
      return Self.describe(signal: signal)
    case .outOfMemory(let limit, let peak):
      let figures = [limit.map { "limit \(ByteCount($0))" }, peak.map { "peak \(ByteCount($0))" }]
        .compactMap { $0 }
      return "killed by the out-of-memory killer"
        + (figures.isEmpty ? "" : " (\(figures.joined(separator: ", ")))")
    case .heartbeatLost:
      return "the kernel stopped answering its heartbeat"
    case .restarted:
      return "the kernel was restarted without a shutdown request (it had died)"
    }
  }

  /// `killed by signal 9 (SIGKILL; the cause is unknown)`: a SIGKILL with no
  /// out-of-memory evidence is not guessed at.
  public static func describe(signal: Int32) -> String {
    guard let name = signalNames[signal] else { return "killed by signal \(signal)" }
    if signal == 9 { return "killed by signal 9 (SIGKILL; the cause is unknown)" }
    let meaning = signalMeanings[signal].map { " — \($0)" } ?? ""
    return "killed by signal \(signal) (\(name)\(meaning))"
  }

  /// Linux signal numbers (the bridge runs on Linux; Core imports no libc).
  public static let signalNames: [Int32: String] = [
    1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
    8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
    14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS",
  ]

  private static let signalMeanings: [Int32: String] = [
    11: "segmentation fault", 7: "bus error", 6: "aborted", 8: "arithmetic error",
    4: "illegal instruction", 24: "CPU time limit exceeded", 25: "file size limit exceeded",
  ]
}
