import Foundation
import Logging
import ZMQWrap

/// Launcher mode's monitor: the IOPub listener and the core, reporting to a
/// `SessionSink`, driven by what the `Launcher` tells it about the kernel.
public final class LaunchMonitor: KernelMonitor {
  private let listener: IOPubListener<BridgeMonitor.Input>
  private let context: Context
  private let connection: ConnectionInfo
  private let sink: SessionSink
  private let watcher: SettingsWatcher
  private let logger: Logger

  /// Subscribes to IOPub at once (the kernel is just starting and has not
  /// bound yet), then works out the rest with `prepare` (notebook, settings,
  /// LMK). Throws only for an unusable connection file or socket; the launcher
  /// then runs the kernel unmonitored.
  public init(
    connectionFile: String, logger: Logger,
    prepare: @escaping @Sendable (ConnectionInfo) -> BridgeSetup
  ) throws {
    let connection = try ConnectionInfo.load(path: connectionFile)
    let context = try Context()
    let ready = SetupBox()
    self.connection = connection
    self.context = context
    self.logger = logger
    listener = try IOPubListener<BridgeMonitor.Input>.start(
      connection: connection, context: context
    ) {
      // Runs on the IOPub thread once the socket is subscribed and connected.
      let setup = prepare(connection)
      ready.setup = setup
      let monitor = BridgeMonitor(
        settings: setup.configuration.resolved.settings, context: setup.notification,
        sink: setup.sink, connectionFile: nil, emit: { logger.debug("\($0)") })
      setup.sink.publish(monitor.snapshot)
      return monitor
    }
    ready.wait()
    guard let setup = ready.setup else { throw SetupBox.NotReady() }
    sink = setup.sink
    let listener = self.listener
    watcher = SettingsWatcher(
      configuration: setup.configuration, onChange: { listener.post(.settings($0)) },
      onProblem: { logger.warning("\($0)") })
  }

  public func kernelStarted(_ kernel: KernelProcess) async throws {
    let listener = self.listener
    let control = ControlClient(connection: connection, context: context)
    // The language for the notification's code fence; control, not shell, so a
    // first cell already running does not delay the answer.
    DispatchQueue.global().async {
      if let info = try? control.kernelInfo(timeoutMilliseconds: 60_000) {
        listener.post(.kernelInfo(info))
      }
    }
  }

  public func signalReceived(_ event: SignalEvent) async throws {
    if event == .interruptReachedKernel { listener.post(.interruptReachedKernel) }
  }

  public func shutdownSeenOnIOPub() async throws -> Bool {
    await withCheckedContinuation { continuation in
      listener.post(.reportShutdownSeen { continuation.resume(returning: $0) })
    }
  }

  public func kernelExited(_ exit: KernelExit) async throws {
    switch exit.verdict {
    case .normal: listener.post(.kernelExited(death: nil))
    case .died(let description): listener.post(.kernelExited(death: "KernelDied: \(description)"))
    }
    let listener = self.listener
    let sink = self.sink
    let budget: Int64 = exit.verdict == .normal ? 700 : 1500
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      DispatchQueue.global().async {
        listener.wait()
        sink.finish(withinMilliseconds: budget)
        continuation.resume()
      }
    }
  }
}

/// Carries the setup from the IOPub thread, where it is made, to the launcher.
final class SetupBox: @unchecked Sendable {
  struct NotReady: Error {}
  private let made = DispatchSemaphore(value: 0)
  var setup: BridgeSetup? {
    didSet { made.signal() }
  }
  func wait() { made.wait() }
}
