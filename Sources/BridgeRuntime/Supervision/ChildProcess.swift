import CSpawn
import Foundation
import Synchronization

/// How a child process ended.
public enum ChildStatus: Sendable, Equatable {
  case exited(code: Int32)
  case signaled(signal: Int32)
}

/// Why a child could not be started.
public struct SpawnError: Error, Equatable, CustomStringConvertible {
  /// The program that was to run (argv[0]).
  public var program: String
  /// errno of the step that failed (usually execvp: ENOENT, EACCES…).
  public var code: Int32

  public var description: String {
    "cannot start kernel \(program): \(String(cString: strerror(code)))"
  }
}

/// A child of the bridge: the real kernel, or (in the supervisor) a monitor process.
///
/// It is started through `CSpawn` (no Swift between fork and exec, signal state
/// reset) from a dedicated thread that stays alive until the child ends: Linux
/// ties `PR_SET_PDEATHSIG` to the forking *thread*, so a short-lived spawning
/// thread would take the kernel down with it. The same thread waits for the
/// child.
public final class ChildProcess: Sendable {
  /// How the child is set up besides the reset signal state.
  public struct Options: Sendable {
    /// The program to exec when it is not `argv[0]` searched on PATH (absolute).
    public var path: String?
    /// Which environment the child gets.
    public enum Environment: Sendable {
      /// The bridge's less its LMK secrets, plus `JPY_PARENT_PID` (see `secretVariables`).
      case kernel
      /// The bridge's own, secrets included (a monitor process needs the tokens).
      case bridge
    }
    public var environment: Environment
    /// Descriptors the child gets as its stdin and stdout (nil: inherited).
    public var standardInput: Int32?
    public var standardOutput: Int32?
    /// Ignore the signals Jupyter sends the process group (monitor processes).
    public var ignoresGroupSignals = false
    /// Killed (SIGKILL) when the spawning thread ends: the kernel dies with the bridge.
    public var diesWithParent = true

    /// The kernel's options: the bridge's environment less its secrets, dies with the bridge.
    public static let kernel = Options()

    public init(
      path: String? = nil, environment: Environment = .kernel, standardInput: Int32? = nil,
      standardOutput: Int32? = nil, ignoresGroupSignals: Bool = false, diesWithParent: Bool = true
    ) {
      self.path = path
      self.environment = environment
      self.standardInput = standardInput
      self.standardOutput = standardOutput
      self.ignoresGroupSignals = ignoresGroupSignals
      self.diesWithParent = diesWithParent
    }
  }

  /// The child's process id. Signal it through `send(signal:)`, which stops
  /// once the pid has been reaped (and could be reused).
  public let pid: Int32
  private let end = Latch<ChildStatus>()
  private let reaped = Mutex(false)

  private init(pid: Int32) { self.pid = pid }

  /// Starts `argv`. Returns once exec succeeded; throws `SpawnError` when it failed.
  public static func launch(argv: [String], options: Options = .kernel) async throws
    -> ChildProcess
  {
    try await start(argv: argv, options: options).wait().get()
  }

  /// Starts the spawning thread (which inherits the caller's signal mask, only
  /// for CSpawn to reset it) and returns where its outcome will appear.
  static func start(argv: [String], options: Options = .kernel) -> Latch<
    Result<ChildProcess, SpawnError>
  > {
    let started = Latch<Result<ChildProcess, SpawnError>>()
    guard !argv.isEmpty else {
      started.set(.failure(SpawnError(program: "", code: EINVAL)))
      return started
    }
    let thread = Thread {
      switch spawn(argv: argv, options: options) {
      case .success(let pid):
        let process = ChildProcess(pid: pid)
        started.set(.success(process))
        process.waitForEnd()
      case .failure(let error):
        started.set(.failure(error))
      }
    }
    thread.name = "child-process"
    thread.start()
    return started
  }

  /// Waits until the child has ended.
  public func status() async -> ChildStatus { await end.wait() }

  /// Waits until the child has ended or `deadline` passes (nil).
  public func status(until deadline: ContinuousClock.Instant) async -> ChildStatus? {
    await end.wait(until: deadline)
  }

  /// How the child ended, nil while it runs.
  public var endStatus: ChildStatus? { end.value }

  /// Sends `signal` to the child (e.g. SIGINT for a remote interrupt in
  /// `interrupt_mode: signal`). Returns false once the child has been reaped,
  /// so a recycled pid is never signalled.
  @discardableResult
  public func send(signal: Int32) -> Bool {
    reaped.withLock { reaped in
      guard !reaped else { return false }
      return kill(pid, signal) == 0
    }
  }

  private static func spawn(argv: [String], options: Options) -> Result<Int32, SpawnError> {
    let cArgv = argv.map { strdup($0) } + [nil]
    let cEnv = environment(options.environment) + [nil]
    defer {
      cArgv.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var spawnOptions = lmk_spawn_options(
      stdin_fd: options.standardInput ?? -1, stdout_fd: options.standardOutput ?? -1,
      ignore_group_signals: options.ignoresGroupSignals ? 1 : 0,
      death_signal: options.diesWithParent ? SIGKILL : 0)
    var error: Int32 = 0
    let pid: Int32
    if let path = options.path {
      pid = lmk_spawn_with(path, cArgv, cEnv, &spawnOptions, &error)
    } else {
      pid = lmk_spawn_with(nil, cArgv, cEnv, &spawnOptions, &error)
    }
    return pid > 0 ? .success(pid) : .failure(SpawnError(program: argv[0], code: error))
  }

  /// The variables the kernel must not see: notebook code is not always
  /// trusted, and these are the bridge's LMK secrets (RELIABILITY.md).
  public static let secretVariables = ["LMK_ACCESS_TOKEN", "LMK_REFRESH_TOKEN"]

  /// The child's environment: the bridge's, byte for byte (entries need not
  /// be UTF-8); for the kernel without `secretVariables` and with
  /// `JPY_PARENT_PID` set to the bridge's pid. Copies to free.
  private static func environment(_ kind: Options.Environment) -> [UnsafeMutablePointer<CChar>?] {
    let replaced = kind == .kernel ? ["JPY_PARENT_PID"] + secretVariables : []
    let dropped = replaced.map { Array("\($0)=".utf8CString.dropLast()) }
    var entries: [UnsafeMutablePointer<CChar>?] = []
    var cursor = environ
    while let entry = cursor.pointee {
      if !dropped.contains(where: { strncmp(entry, $0, $0.count) == 0 }) {
        entries.append(strdup(entry))
      }
      cursor += 1
    }
    if kind == .kernel { entries.append(strdup("JPY_PARENT_PID=\(getpid())")) }
    return entries
  }

  private func waitForEnd() {
    var ended = lmk_child_end()
    guard lmk_wait_end(pid, &ended) == 0 else {
      // Only ECHILD is possible: the child was reaped behind our back (SIGCHLD
      // ignored), so its status is lost. Report a plain exit rather than hang
      // the launcher or claim a death nobody saw.
      end.set(.exited(code: 0))
      return
    }
    reaped.withLock { reaped in
      lmk_reap(pid)
      reaped = true
    }
    end.set(ended.signaled != 0 ? .signaled(signal: ended.value) : .exited(code: ended.value))
  }
}
