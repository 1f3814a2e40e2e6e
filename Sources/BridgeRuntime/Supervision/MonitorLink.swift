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
    /// The verdict on the kernel's end: it stopped as asked. Wrap up, end the session, exit.
    case kernelStopped
    /// The verdict on the kernel's end: it died, ending so. Report it, wrap up, exit.
    case kernelDied(ChildStatus)
  }

  /// What the monitor tells the supervisor.
  public enum ToSupervisor: Sendable, Equatable {
    /// The LMK session the monitor reports to; a restarted monitor adopts it.
    case session(id: String)
    /// The answer to `kernelEnded`.
    case shutdownSeen(Bool)
    /// The LMK app asked for an interrupt: SIGINT the kernel (`interrupt_mode: signal`).
    /// The supervisor answers `interrupt` once the signal is sent.
    case interruptKernel
  }

  public static func encode(_ message: ToMonitor) -> String {
    switch message {
    case .interrupt(let time): "interrupt \(time.millisecondsSince1970)"
    case .kernelEnded: "kernel-ended"
    case .kernelStopped: "kernel-stopped"
    case .kernelDied(.exited(let code)): "kernel-died exited \(code)"
    case .kernelDied(.signaled(let signal)): "kernel-died signaled \(signal)"
    }
  }

  public static func encode(_ message: ToSupervisor) -> String {
    switch message {
    case .session(let id): "session \(singleLine(id))"
    case .shutdownSeen(let seen): "shutdown-seen \(seen ? "yes" : "no")"
    case .interruptKernel: "interrupt-kernel"
    }
  }

  public static func decodeToMonitor(_ line: Substring) -> ToMonitor? {
    let (verb, rest) = split(line)
    switch verb {
    case "interrupt":
      return Int64(rest).map { .interrupt(KernelTime(millisecondsSince1970: $0)) }
    case "kernel-ended":
      return rest.isEmpty ? .kernelEnded : nil
    case "kernel-stopped":
      return rest.isEmpty ? .kernelStopped : nil
    case "kernel-died":
      let (kind, number) = split(rest)
      guard let value = Int32(number) else { return nil }
      switch kind {
      case "exited": return .kernelDied(.exited(code: value))
      case "signaled": return .kernelDied(.signaled(signal: value))
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
    case ("interrupt-kernel", ""): return .interruptKernel
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
