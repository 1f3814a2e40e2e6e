import ExecutionCore
/// The line protocol between the supervisor (the process Jupyter launched)
/// and its monitor process: one message a line, on the monitor's stdin and
/// stdout (docs/ARCHITECTURE.md, "Crash isolation").
///
/// Both ends are this program, but a monitor may die mid-line, so decoding is
/// total: anything unknown or malformed is nil, never a trap.
public enum MonitorLink {
  /// The longest line either end sends or accepts (a death's description is short).
  public static let maximumLineLength = 4096

  /// What the supervisor tells the monitor.
  public enum ToMonitor: Sendable, Equatable {
    /// SIGINT reached the process group (and so the kernel) at this wall time.
    case interrupt(KernelTime)
    /// The kernel process ended: say whether it announced a shutdown on IOPub
    /// (answered with `shutdownSeen` once IOPub was drained).
    case kernelEnded
    /// The verdict on the kernel's end: wrap up, report, end the session, exit.
    case kernelExited(KernelExit.Verdict)
  }

  /// What the monitor tells the supervisor.
  public enum ToSupervisor: Sendable, Equatable {
    /// The LMK session the monitor reports to; a restarted monitor adopts it.
    case session(id: String)
    /// The answer to `kernelEnded`.
    case shutdownSeen(Bool)
  }

  public static func encode(_ message: ToMonitor) -> String {
    switch message {
    case .interrupt(let time): "interrupt \(time.millisecondsSince1970)"
    case .kernelEnded: "kernel-ended"
    case .kernelExited(.normal): "kernel-exited normal"
    case .kernelExited(.died(let description)):
      "kernel-exited died \(singleLine(description))"
    }
  }

  public static func encode(_ message: ToSupervisor) -> String {
    switch message {
    case .session(let id): "session \(singleLine(id))"
    case .shutdownSeen(let seen): "shutdown-seen \(seen ? "yes" : "no")"
    }
  }

  public static func decodeToMonitor(_ line: Substring) -> ToMonitor? {
    let (verb, rest) = split(line)
    switch verb {
    case "interrupt":
      return Int64(rest).map { .interrupt(KernelTime(millisecondsSince1970: $0)) }
    case "kernel-ended":
      return rest.isEmpty ? .kernelEnded : nil
    case "kernel-exited":
      let (kind, description) = split(rest)
      switch kind {
      case "normal": return description.isEmpty ? .kernelExited(.normal) : nil
      case "died": return .kernelExited(.died(description: String(description)))
      default: return nil
      }
    default:
      return nil
    }
  }

  public static func decodeToSupervisor(_ line: Substring) -> ToSupervisor? {
    let (verb, rest) = split(line)
    switch (verb, rest) {
    case ("session", let id) where !id.isEmpty: return .session(id: String(id))
    case ("shutdown-seen", "yes"): return .shutdownSeen(true)
    case ("shutdown-seen", "no"): return .shutdownSeen(false)
    default: return nil
    }
  }

  private static func split(_ line: Substring) -> (Substring, Substring) {
    guard let space = line.firstIndex(of: " ") else { return (line, "") }
    return (line[..<space], line[line.index(after: space)...])
  }

  /// Text made safe for one line: line breaks become spaces, and it is cut to fit.
  private static func singleLine(_ text: String) -> String {
    String(text.prefix(maximumLineLength / 4).map { $0.isNewline ? " " : $0 })
  }
}
