#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How the kernel ended in launcher mode, and what that means (PRODUCT.md §5).
///
/// Pure: the launcher fills in what it observed, the monitor reads the verdict.
/// The exit status alone cannot tell a shutdown from a death, because IRkernel
/// and IJulia announce nothing on IOPub when they shut down.
public struct KernelExit: Sendable, Equatable {
  /// Whether the kernel died or stopped as asked.
  public enum Verdict: Sendable, Equatable {
    case normal
    /// The kernel died; the description names the cause in words,
    /// e.g. `killed by signal 9 (SIGKILL — often the out-of-memory killer)`.
    case died(description: String)
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
    return .died(description: Self.describe(status))
  }

  /// The bridge's own exit status: the child's, or 128+signal as a shell reports it.
  public var bridgeExitCode: Int32 {
    switch status {
    case .exited(let code): code
    case .signaled(let signal): 128 + signal
    }
  }

  /// The end in words: `exited with status 3`, `killed by signal 11 (SIGSEGV — segmentation fault)`.
  /// `explained: false` leaves out the likely cause, which only fits a death
  /// (a SIGKILL after a shutdown request is Jupyter's, not the OOM killer's).
  public static func describe(_ status: ChildStatus, explained: Bool = true) -> String {
    switch status {
    case .exited(let code):
      return "exited with status \(code)"
    case .signaled(let signal):
      guard let name = signalNames[signal] else { return "killed by signal \(signal)" }
      let meaning = explained ? signalMeanings[signal].map { " — \($0)" } ?? "" : ""
      return "killed by signal \(signal) (\(name)\(meaning))"
    }
  }

  static let signalNames: [Int32: String] = [
    SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
    SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
    SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
    SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU",
    SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
  ]

  private static let signalMeanings: [Int32: String] = [
    SIGKILL: "often the out-of-memory killer",
    SIGSEGV: "segmentation fault",
    SIGBUS: "bus error",
    SIGABRT: "aborted",
    SIGFPE: "arithmetic error",
    SIGILL: "illegal instruction",
    SIGXCPU: "CPU time limit exceeded",
    SIGXFSZ: "file size limit exceeded",
  ]
}
