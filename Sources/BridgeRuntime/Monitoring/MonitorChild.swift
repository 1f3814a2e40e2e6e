import Foundation
import JupyterProtocol
import LMKClient
import Logging
import ZMQWrap

/// The monitor process's own side (`jupyter-lmk monitor`, launcher mode; the
/// supervisor's side is `MonitorProcess`): the IOPub listener and the core,
/// reporting to a `SessionSink`, driven by what the supervisor says over
/// `MonitorLink` (stdin). Everything that reads outside data runs here, apart
/// from the supervisor, so a crash costs only this process.
public enum MonitorChild {
  /// What the supervisor passes on a monitor's command line.
  public struct Launch: Sendable {
    public var connectionFile: String
    /// 0 for the first monitor of a kernel; a restart has a higher one.
    public var generation: Int
    /// The LMK session an earlier monitor of this kernel created.
    public var sessionId: String?
    /// The kernel's process (the supervisor's child), for its memory figures.
    public var kernelPid: Int32?

    public init(connectionFile: String, generation: Int, sessionId: String?, kernelPid: Int32?) {
      self.connectionFile = connectionFile
      self.generation = generation
      self.sessionId = sessionId
      self.kernelPid = kernelPid
    }
  }

  /// Monitors until the supervisor gives the verdict on the kernel's end (or
  /// goes away), wraps up within the budget of §6, and returns the process's
  /// exit status (`MonitorProcess.ExitStatus`).
  ///
  /// - Parameter prepare: works out the notebook, settings and LMK sink; runs
  ///   on the IOPub thread once the socket is subscribed and connected.
  public static func run(
    _ launch: Launch, link linkDescriptor: Int32 = 0, logger: Logger,
    prepare:
      @escaping @Sendable (ConnectionInfo, _ onSession: @escaping @Sendable (String) -> Void)
      -> BridgeSetup
  ) async -> Int32 {
    let link = LineChannel(fd: linkDescriptor)
    Failpoint.monitorStart.hit()
    let memory = KernelMemory(kernelPid: launch.kernelPid)
    let environment = ProcessInfo.processInfo.environment
    // What `ps`, `status` and `notify` see of this kernel (docs/BEHAVIOUR.md, "Local control").
    let localControl = LocalControl(
      folder: .standard(environment: environment), connectionFile: launch.connectionFile,
      mode: .launcher, supervisorPid: getppid(), kernelPid: launch.kernelPid,
      outboxDirectory: Outbox.defaultDirectory(environment: environment),
      log: { logger.warning("\($0)") })
    localControl?.sessionChanged(launch.sessionId)
    let connection: ConnectionInfo
    let context: Context
    let listener: IOPubListener<CoreDriver>
    let ready = Latch<BridgeSetup>()
    do {
      connection = try ConnectionInfo.load(path: launch.connectionFile)
      context = try Context()
      listener = try IOPubListener<CoreDriver>.start(
        connection: connection, context: context
      ) {
        let setup = prepare(connection) { id in
          link.send(MonitorLink.encode(.session(id: id)))
          localControl?.sessionChanged(id)
        }
        localControl?.configure(setup)
        let monitor = CoreDriver(
          settings: setup.configuration.resolved.settings, context: setup.notification,
          sink: setup.sink, emit: { logger.debug("\($0)") }, localControl: localControl)
        setup.sink.publish(monitor.snapshot)
        ready.set(setup)
        return monitor
      }
    } catch {
      logger.error("monitoring is off, the kernel runs unmonitored: \(error)")
      return MonitorProcess.ExitStatus.cannotMonitor
    }
    let setup = await ready.wait()
    if launch.generation > 0 {
      // A kernel's cells that began and ended while no monitor ran are not reported.
      logger.notice("monitor restarted (restart \(launch.generation)): following the kernel again")
    }
    let watcher = SettingsWatcher(
      configuration: setup.configuration,
      onChange: {
        listener.post(.settings($0.settings))
        localControl?.configuredChanged($0)
      }, onProblem: { logger.warning("\($0)") })
    localControl?.start(posting: listener)
    askLanguage(connection: connection, context: context, listener: listener)
    let control = ControlClient(connection: connection, session: listener.session, context: context)
    setup.remote.attach(to: listener) {
      switch setup.interruptMode {
      case .signal: link.send(MonitorLink.encode(.interruptKernel))
      case .message: control.interruptInBackground(logger: logger)
      }
    }
    // Off the IOPub thread; its readings reach the core through the listener's inputs.
    let sampler = memory.probe.map { probe in
      MemorySampler(probe: probe) { reading in
        listener.post(.memory(reading))
        localControl?.memoryChanged(ExecutionTranscript.memoryFigures(reading))
      }
    }
    /// The figures at the kernel's end, so its last run's notification has them.
    @Sendable func postFinalReading() {
      if let reading = memory.probe?.read() { listener.post(.memory(reading)) }
    }

    // The supervisor's word, until the verdict; its end (EOF) means it is gone.
    let budget = Latch<Int64>()
    link.startReading(name: "monitor-link") { line in
      switch MonitorLink.decodeToMonitor(line) {
      case .interrupt(let time)?:
        listener.post(.interruptReachedKernel(at: time))
      case .kernelEnded?:
        listener.post(.reportShutdownSeen { link.send(MonitorLink.encode(.shutdownSeen($0))) })
      case .kernelStopped?:
        Failpoint.wrapUp.hit()
        postFinalReading()
        listener.post(.kernelExited(death: nil))
        budget.set(700)
      case .kernelDied(let status)?:
        Failpoint.wrapUp.hit()
        postFinalReading()
        listener.post(.kernelExited(death: memory.death(of: status)))
        budget.set(1500)
      case nil:
        logger.debug("ignored a line from the supervisor")
      }
    } onEnd: {
      listener.post(.stop)
      budget.set(700)
    }
    let milliseconds = await budget.wait()
    sampler?.stop()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      // Both block: a thread of their own, not the cooperative pool.
      Thread {
        listener.wait()
        localControl?.stop()
        setup.sink.finish(withinMilliseconds: milliseconds)
        continuation.resume()
      }.start()
    }
    withExtendedLifetime(watcher) {}
    return MonitorProcess.ExitStatus.done
  }

  /// The language for the notification's code fence; control, not shell, so a
  /// first cell already running does not delay the answer.
  private static func askLanguage(
    connection: ConnectionInfo, context: Context, listener: IOPubListener<CoreDriver>
  ) {
    let control = ControlClient(connection: connection, session: listener.session, context: context)
    Thread {
      if let info = try? control.kernelInfo(timeoutMilliseconds: 60_000) {
        listener.post(.kernelInfo(info))
      }
    }.start()
  }
}
