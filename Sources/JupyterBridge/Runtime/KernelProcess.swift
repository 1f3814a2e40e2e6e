import CSpawn
import Foundation
import Synchronization

/// How the kernel child ended.
public enum ChildStatus: Sendable, Equatable {
  case exited(code: Int32)
  case signaled(signal: Int32)
}

/// Why the kernel child could not be started.
public struct SpawnError: Error, Equatable, CustomStringConvertible {
  /// The program that was to run (argv[0]).
  public var program: String
  /// errno of the step that failed (usually execvp: ENOENT, EACCES…).
  public var code: Int32

  public var description: String {
    "cannot start kernel \(program): \(String(cString: strerror(code)))"
  }
}

/// The real kernel, running as the bridge's child.
///
/// It is started through `CSpawn` (no Swift between fork and exec, signal state
/// reset, `PR_SET_PDEATHSIG`) from a dedicated thread that stays alive until
/// the child ends: Linux ties PDEATHSIG to the forking *thread*, so a
/// short-lived spawning thread would take the kernel down with it. The same
/// thread waits for the child.
public final class KernelProcess: Sendable {
  /// The kernel's process id. Signal it through `send(signal:)`, which stops
  /// once the pid has been reaped (and could be reused).
  public let pid: Int32
  private let end = Latch<ChildStatus>()
  private let reaped = Mutex(false)

  private init(pid: Int32) { self.pid = pid }

  /// Starts `argv` with the bridge's environment plus `JPY_PARENT_PID` (the
  /// bridge's pid, so an orphaned kernel knows whom to watch). Returns once
  /// exec succeeded; throws `SpawnError` when it failed.
  public static func launch(argv: [String]) async throws -> KernelProcess {
    try await start(argv: argv).wait().get()
  }

  /// Starts the spawning thread (which inherits the caller's signal mask, only
  /// for CSpawn to reset it) and returns where its outcome will appear.
  static func start(argv: [String]) -> Latch<Result<KernelProcess, SpawnError>> {
    precondition(!argv.isEmpty, "launch needs a program")
    let started = Latch<Result<KernelProcess, SpawnError>>()
    let thread = Thread {
      switch spawn(argv: argv) {
      case .success(let pid):
        let process = KernelProcess(pid: pid)
        started.set(.success(process))
        process.waitForEnd()
      case .failure(let error):
        started.set(.failure(error))
      }
    }
    thread.name = "kernel-process"
    thread.start()
    return started
  }

  /// Waits until the kernel has ended.
  public func status() async -> ChildStatus { await end.wait() }

  /// Waits until the kernel has ended or `deadline` passes (nil).
  public func status(until deadline: ContinuousClock.Instant) async -> ChildStatus? {
    await end.wait(until: deadline)
  }

  /// Sends `signal` to the kernel (e.g. SIGINT for a remote interrupt in
  /// `interrupt_mode: signal`). Returns false once the kernel has been reaped,
  /// so a recycled pid is never signalled.
  @discardableResult
  public func send(signal: Int32) -> Bool {
    reaped.withLock { reaped in
      guard !reaped else { return false }
      return kill(pid, signal) == 0
    }
  }

  private static func spawn(argv: [String]) -> Result<Int32, SpawnError> {
    let cArgv = argv.map { strdup($0) } + [nil]
    let cEnv = childEnvironment() + [nil]
    defer {
      cArgv.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var error: Int32 = 0
    let pid = lmk_spawn(cArgv, cEnv, &error)
    return pid > 0 ? .success(pid) : .failure(SpawnError(program: argv[0], code: error))
  }

  /// The kernel's environment: the bridge's, byte for byte (entries need not
  /// be UTF-8), with `JPY_PARENT_PID` set to the bridge's pid. Copies to free.
  private static func childEnvironment() -> [UnsafeMutablePointer<CChar>?] {
    let name = Array("JPY_PARENT_PID=".utf8CString.dropLast())
    var entries: [UnsafeMutablePointer<CChar>?] = []
    var cursor = environ
    while let entry = cursor.pointee {
      if strncmp(entry, name, name.count) != 0 { entries.append(strdup(entry)) }
      cursor += 1
    }
    entries.append(strdup("JPY_PARENT_PID=\(getpid())"))
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
