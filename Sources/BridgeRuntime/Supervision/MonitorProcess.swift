import Foundation
import Logging
import Synchronization

/// The supervisor's monitor: monitoring runs in a separate process, so a trap
/// in it (wire decoding, the state machine, HTTP, files) never takes the
/// kernel down (docs/BEHAVIOUR.md, "Launcher mode", crash isolation).
///
/// The monitor process is this program (`/proc/self/exe`) with the arguments
/// `arguments` builds, started after the kernel, in the same process group
/// with the group's signals ignored (they are the supervisor's to handle),
/// and talked to over a socket pair in `MonitorLink` lines. When it dies
/// unasked it is started again, with backoff and at most
/// `RestartPolicy.maximumRestarts` times in a row; the new one re-attaches to
/// the same kernel and adopts the LMK session. A monitor that dies after the
/// kernel ended is replaced at once and told the verdict, so the end is still
/// reported.
public final class MonitorProcess: KernelObserver {
  /// How crashed monitors are restarted.
  public struct RestartPolicy: Sendable {
    /// Restarts in a row before monitoring is given up (the kernel runs on).
    public var maximumRestarts = 5
    /// The wait before the first restart; doubled for each further one.
    public var firstDelay: Duration = .milliseconds(250)
    public var maximumDelay: Duration = .seconds(8)
    /// A monitor that ran this long resets the count: its crash is a new one.
    public var stableAfter: Duration = .seconds(60)
    public init() {}
  }

  /// What a monitor process's own exit status says.
  public enum ExitStatus {
    /// Done: it wrapped up after the kernel ended, or its supervisor went away.
    public static let done: Int32 = 0
    /// It cannot monitor this kernel (an unusable connection file); not restarted.
    public static let cannotMonitor: Int32 = 3
  }

  /// What the monitor with `generation` of the kernel `kernelPid` runs as;
  /// `sessionId` is the LMK session to adopt.
  public typealias Arguments =
    @Sendable (_ generation: Int, _ sessionId: String?, _ kernelPid: Int32) -> [String]

  private struct Running {
    let process: ChildProcess
    let channel: LineChannel
    let generation: Int
    let started: ContinuousClock.Instant
  }

  private struct State {
    var current: Running?
    var kernel: ChildProcess?
    var kernelPid: Int32 = 0
    var nextGeneration = 0
    var crashesInARow = 0
    var sessionId: String?
    var exit: KernelExit?
    var shutdownAnswer: Latch<Bool>?
    var abandoned = false
  }

  private let program: String
  private let arguments: Arguments
  private let policy: RestartPolicy
  private let logger: Logger
  private let state = Mutex(State())
  /// Set once no monitor runs any more and none will be started.
  private let over = Latch<Void>()

  public init(
    program: String = "/proc/self/exe", policy: RestartPolicy = RestartPolicy(), logger: Logger,
    arguments: @escaping Arguments
  ) {
    self.program = program
    self.arguments = arguments
    self.policy = policy
    self.logger = logger
  }

  public func kernelStarted(_ kernel: ChildProcess) async throws {
    state.withLock {
      $0.kernel = kernel
      $0.kernelPid = kernel.pid
    }
    await startNext()
  }

  public func signalReceived(_ event: SignalEvent) async throws {
    guard case .interruptReachedKernel(let time) = event else { return }
    send(.interrupt(time))
  }

  public func shutdownSeenOnIOPub() async throws -> Bool {
    let answer = Latch<Bool>()
    let asked: Bool = state.withLock { state in
      guard let current = state.current else { return false }
      state.shutdownAnswer = answer
      return current.channel.send(MonitorLink.encode(.kernelEnded))
    }
    guard asked else { return false }
    return await answer.wait()
  }

  public func kernelExited(_ exit: KernelExit) async throws {
    state.withLock { $0.exit = exit }
    send(Self.verdictMessage(exit))
    await over.wait()
  }

  /// Kills the monitor still running, if any, and starts no other: the
  /// supervisor exits now (what is not delivered stays in the outbox).
  public func abandon() {
    let current = state.withLock { state -> Running? in
      state.abandoned = true
      return state.current
    }
    current?.process.send(signal: SIGKILL)
    over.set(())
  }

  private func send(_ message: MonitorLink.ToMonitor) {
    let channel = state.withLock { $0.current?.channel }
    channel?.send(MonitorLink.encode(message))
  }

  /// Starts the next monitor process and follows it.
  private func startNext() async {
    let (generation, sessionId, kernelPid) = state.withLock { state -> (Int, String?, Int32) in
      defer { state.nextGeneration += 1 }
      return (state.nextGeneration, state.sessionId, state.kernelPid)
    }
    let process: ChildProcess
    let channel: LineChannel
    do {
      let (mine, theirs) = try LineChannel.pair()
      defer { close(theirs) }
      let options = ChildProcess.Options(
        path: program, environment: .bridge, standardInput: theirs, standardOutput: 2,
        ignoresGroupSignals: true, diesWithParent: false)
      do {
        process = try await ChildProcess.launch(
          argv: arguments(generation, sessionId, kernelPid), options: options)
      } catch {
        close(mine.fd)
        throw error
      }
      channel = mine
    } catch {
      logger.error("cannot start the monitor process, the kernel runs unmonitored: \(error)")
      over.set(())
      return
    }
    let running = Running(
      process: process, channel: channel, generation: generation, started: .now)
    let (abandoned, exit) = state.withLock { state -> (Bool, KernelExit?) in
      if !state.abandoned { state.current = running }
      return (state.abandoned, state.exit)
    }
    if abandoned {
      process.send(signal: SIGKILL)
      return
    }
    channel.startReading(name: "monitor-link") { [weak self] line in
      self?.received(line)
    } onEnd: {
    }
    // A replacement after the kernel ended learns the verdict at once.
    if let exit { channel.send(MonitorLink.encode(Self.verdictMessage(exit))) }
    Task { [self] in
      let status = await process.status()
      channel.shutDown()
      await monitorEnded(running, status)
    }
  }

  private func received(_ line: Substring) {
    switch MonitorLink.decodeToSupervisor(line) {
    case .session(let id)?:
      state.withLock { $0.sessionId = id }
    case .shutdownSeen(let seen)?:
      state.withLock { $0.shutdownAnswer }?.set(seen)
    case .interruptKernel?:
      // The kernel alone, as Jupyter's own interrupt reaches it; a reaped one is not signalled.
      if state.withLock({ $0.kernel })?.send(signal: SIGINT) == true {
        logger.info("SIGINT: the kernel was interrupted from the LMK app")
        send(.interrupt(MonotonicClock.wallTime()))
      }
    case nil:
      logger.debug("ignored a line from the monitor process")
    }
  }

  private func monitorEnded(_ ended: Running, _ status: ChildStatus) async {
    let (abandoned, verdict, crashes) = state.withLock {
      state -> (Bool, KernelExit.Verdict?, Int) in
      state.current = nil
      state.shutdownAnswer?.set(false)
      state.shutdownAnswer = nil
      let finished = status == .exited(code: ExitStatus.done) && state.exit != nil
      if !finished && status != .exited(code: ExitStatus.cannotMonitor) {
        if ContinuousClock.now - ended.started >= policy.stableAfter { state.crashesInARow = 0 }
        state.crashesInARow += 1
      }
      return (state.abandoned, state.exit?.verdict, state.crashesInARow)
    }
    if abandoned { return }
    if status == .exited(code: ExitStatus.cannotMonitor)
      || (status == .exited(code: ExitStatus.done) && verdict != nil)
    {
      over.set(())  // wrapped up, or the monitor said why it cannot monitor
      return
    }
    let how = KernelExit.describe(status)
    guard crashes <= policy.maximumRestarts else {
      logger.error(
        "the monitor process \(how) \(crashes) times in a row; the kernel runs unmonitored")
      over.set(())
      return
    }
    // After the kernel ended there is no time to wait: the end must be reported.
    let delay = verdict == nil ? restartDelay(after: crashes) : .zero
    logger.error(
      "the monitor process \(how); the kernel keeps running; restarting it in \(delay) (restart \(crashes) of at most \(policy.maximumRestarts))"
    )
    if delay > .zero { try? await Task.sleep(for: delay) }
    await startNext()
  }

  /// The verdict as the monitor is told it.
  private static func verdictMessage(_ exit: KernelExit) -> MonitorLink.ToMonitor {
    exit.verdict == .normal ? .kernelStopped : .kernelDied(exit.status)
  }

  private func restartDelay(after crashes: Int) -> Duration {
    var delay = policy.firstDelay
    for _ in 1..<max(1, crashes) where delay < policy.maximumDelay { delay *= 2 }
    return min(delay, policy.maximumDelay)
  }
}
