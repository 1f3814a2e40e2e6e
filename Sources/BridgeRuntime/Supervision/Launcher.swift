import ExecutionCore
import Logging

/// The time limits of launcher mode, counted from the moment the kernel ended.
///
/// jupyter_client waits only 2.5 s for the kernel process (the bridge) before
/// escalating to SIGTERM, and every second the bridge lingers delays every
/// shutdown and restart (docs/BEHAVIOUR.md, "Launcher mode").
public struct LaunchTimings: Sendable {
  /// How long a death-looking end waits for a late SIGTERM and for the
  /// monitor's word on IOPub before it is judged.
  public var judgement: Duration
  /// When the bridge exits after a shutdown, at the latest.
  public var exitAfterShutdown: Duration
  /// When the bridge exits after a death (time for the alert), at the latest.
  public var exitAfterDeath: Duration
  /// How long the log line of a SIGINT waits: jupyter_client interrupts every kernel
  /// just before it shuts it down, and that interrupt is part of the shutdown.
  public var interruptWording: Duration

  public init(
    judgement: Duration = .milliseconds(300), exitAfterShutdown: Duration = .milliseconds(900),
    exitAfterDeath: Duration = .milliseconds(1900), interruptWording: Duration = .seconds(1)
  ) {
    self.judgement = judgement
    self.exitAfterShutdown = exitAfterShutdown
    self.exitAfterDeath = exitAfterDeath
    self.interruptWording = interruptWording
  }
}

/// Launcher mode: runs the real kernel as a child and reports its life to a
/// monitor (docs/BEHAVIOUR.md, "Launcher mode").
///
/// The kernel starts first and at once; nothing the monitor does can delay or
/// prevent it, and the bridge exits with the kernel's status soon after it ends.
public struct Launcher: Sendable {
  public var logger: Logger
  public var timings: LaunchTimings
  /// The signals the bridge catches (survives, and reports as `SignalEvent`s).
  public var signals: [Int32]

  public init(
    logger: Logger, timings: LaunchTimings = LaunchTimings(),
    signals: [Int32] = SignalWatcher.launcherSignals
  ) {
    self.logger = logger
    self.timings = timings
    self.signals = signals
  }

  /// Starts `kernelArgv`, then the monitor that `makeMonitor` builds, and
  /// returns the bridge's exit code once the kernel ended and the monitor
  /// wrapped up (or ran out of time): the kernel's status, 128+signal for a
  /// signalled kernel, 1 when the kernel could not be started.
  public func run(
    kernelArgv: [String], makeMonitor: @escaping @Sendable () async throws -> any KernelObserver
  ) async -> Int32 {
    // Handlers first: a SIGINT arriving right after the spawn must not kill the bridge.
    let signals: SignalWatcher?
    let shuttingDown = SharedFlag()
    do {
      signals = try SignalWatcher(signals: self.signals) { [logger, timings] event in
        switch event {
        case .interruptReachedKernel:
          Task {
            try? await Task.sleep(for: timings.interruptWording)
            if shuttingDown.isSet {
              logger.debug("SIGINT before the shutdown (jupyter_client interrupts first)")
            } else {
              logger.info("SIGINT: the kernel was interrupted")
            }
          }
        case .shutdownRequested:
          shuttingDown.set(true)
          logger.info("SIGTERM: shutdown requested, waiting for the kernel to exit")
        case .survived(let signal):
          logger.notice(
            "\(KernelDeath.signalNames[signal] ?? "signal \(signal)") received; ignored")
        }
      }
    } catch {
      logger.error("\(error); the kernel runs anyway")
      signals = nil
    }
    let kernel: ChildProcess
    do {
      kernel = try await ChildProcess.launch(argv: kernelArgv)
    } catch {
      logger.error("\(error)")
      return 1
    }
    logger.debug("kernel started", metadata: ["pid": "\(kernel.pid)"])

    let monitor = startMonitor(makeMonitor, kernel: kernel)
    if let signals { forward(signals, to: monitor) }

    let status = await kernel.status()
    shuttingDown.set(true)
    let ended = ContinuousClock.now
    let exit = await judge(status, endedAt: ended, signals: signals, monitor: monitor)
    switch exit.verdict {
    case .normal: logger.info("kernel \(KernelExit.describe(status))")
    case .died(let death): logger.error("kernel died: \(death.description)")
    }
    let exitBy =
      ended + (exit.verdict == .normal ? timings.exitAfterShutdown : timings.exitAfterDeath)
    await callMonitor(monitor, until: exitBy, "wrap up") { try await $0.kernelExited(exit) }
    return exit.bridgeExitCode
  }

  /// Makes the monitor and lets it run; a failure leaves the kernel unmonitored.
  private func startMonitor(
    _ makeMonitor: @escaping @Sendable () async throws -> any KernelObserver, kernel: ChildProcess
  ) -> Latch<(any KernelObserver)?> {
    let monitor = Latch<(any KernelObserver)?>()
    let logger = self.logger
    Task {
      let made: any KernelObserver
      do {
        made = try await makeMonitor()
      } catch {
        logger.error("monitoring is off, the kernel runs unmonitored: \(error)")
        monitor.set(nil)
        return
      }
      monitor.set(made)
      do {
        try await made.kernelStarted(kernel)
      } catch {
        logger.error("monitoring failed, the kernel keeps running: \(error)")
      }
    }
    return monitor
  }

  /// Hands each signal to the monitor, in order.
  private func forward(_ signals: SignalWatcher, to monitor: Latch<(any KernelObserver)?>) {
    let logger = self.logger
    Task {
      for await event in signals.events {
        guard let current = await monitor.wait() else { continue }
        do {
          try await current.signalReceived(event)
        } catch {
          logger.error("monitor failed on \(event): \(error)")
        }
      }
    }
  }

  /// Decides shutdown or death. An end that looks like a death gets a short
  /// grace: a group SIGTERM may reach the bridge's handler a moment after it
  /// killed the kernel, and IOPub may still hold the kernel's shutdown notice.
  private func judge(
    _ status: ChildStatus, endedAt ended: ContinuousClock.Instant, signals: SignalWatcher?,
    monitor: Latch<(any KernelObserver)?>
  ) async -> KernelExit {
    var exit = KernelExit(
      status: status, sigtermReachedBridge: signals?.shutdownRequested ?? false,
      shutdownSeenOnIOPub: false)
    guard exit.verdict != .normal else { return exit }
    let judgeBy = ended + timings.judgement
    async let lateSIGTERM = signals?.shutdownRequested(by: judgeBy) ?? false
    let seen = await callMonitor(monitor, until: judgeBy, "report a shutdown on IOPub") {
      try await $0.shutdownSeenOnIOPub()
    }
    exit.shutdownSeenOnIOPub = seen ?? false
    exit.sigtermReachedBridge = await lateSIGTERM
    return exit
  }

  /// Calls the monitor (once it exists) until `deadline`; errors and timeouts
  /// are logged and give nil.
  @discardableResult
  private func callMonitor<T: Sendable>(
    _ monitor: Latch<(any KernelObserver)?>, until deadline: ContinuousClock.Instant,
    _ what: String,
    _ call: @escaping @Sendable (any KernelObserver) async throws -> T
  ) async -> T? {
    let outcome = await withDeadline(deadline) { () async throws -> T? in
      guard let current = await monitor.wait() else { return nil }
      return try await call(current)
    }
    switch outcome {
    case .success(let value): return value
    case .failure(let error): logger.error("monitor failed to \(what): \(error)")
    case nil: logger.warning("monitor did not \(what) in time; going on without it")
    }
    return nil
  }
}
