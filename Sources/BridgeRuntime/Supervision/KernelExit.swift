import ExecutionCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How the kernel ended in launcher mode, and what that means (docs/BEHAVIOUR.md, "Semantics").
///
/// Pure: the launcher fills in what it observed, the monitor reads the verdict.
/// The exit status alone cannot tell a shutdown from a death, because IRkernel
/// and IJulia announce nothing on IOPub when they shut down.
public struct KernelExit: Sendable, Equatable {
  /// Whether the kernel died or stopped as asked.
  public enum Verdict: Sendable, Equatable {
    case normal
    /// The kernel died, of this (what the exit status alone tells; the
    /// monitor may know more, e.g. an out-of-memory kill).
    case died(KernelDeath)
  }

  public var status: ChildStatus
  /// SIGTERM reached the bridge: Jupyter is shutting the kernel down.
  public var sigtermReachedBridge: Bool
  /// The kernel announced its shutdown on IOPub (ipykernel's `shutdown_reply`,
  /// xeus' `shutdown`).
  public var shutdownSeenOnIOPub: Bool

  public init(status: ChildStatus, sigtermReachedBridge: Bool, shutdownSeenOnIOPub: Bool) {
    self.status = status
    self.sigtermReachedBridge = sigtermReachedBridge
    self.shutdownSeenOnIOPub = shutdownSeenOnIOPub
  }

  /// Exit 0 is never a death. Any other end is a death unless a shutdown was
  /// seen: SIGTERM reaching the bridge (the signal Jupyter sends) or the
  /// kernel's own announcement. A signal arriving after the kernel announced
  /// its shutdown (a crash while tearing down) is not reported as a death:
  /// the user asked the kernel to go.
  public var verdict: Verdict {
    if status == .exited(code: 0) || sigtermReachedBridge || shutdownSeenOnIOPub {
      return .normal
    }
    switch status {
    case .exited(let code): return .died(.exited(status: code))
    case .signaled(let signal): return .died(.signaled(signal))
    }
  }

  /// The bridge's own exit status: the child's, or 128+signal as a shell reports it.
  public var bridgeExitCode: Int32 {
    switch status {
    case .exited(let code): code
    case .signaled(let signal): 128 + signal
    }
  }

  /// The end in words, for a normal end or a child that is not the kernel:
  /// `exited with status 0`, `killed by signal 4 (SIGILL)`.
  public static func describe(_ status: ChildStatus) -> String {
    switch status {
    case .exited(let code):
      return "exited with status \(code)"
    case .signaled(let signal):
      let name = KernelDeath.signalNames[signal].map { " (\($0))" } ?? ""
      return "killed by signal \(signal)\(name)"
    }
  }
}
