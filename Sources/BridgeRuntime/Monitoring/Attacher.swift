import BridgeSettings
import Foundation
import JupyterProtocol
import Logging
import ZMQWrap

/// Attach mode: follows a kernel someone else started, through its connection
/// file, until the kernel goes away or `stop` is posted.
public enum Attacher {
  /// Runs the monitor to its end, then lets the sink deliver and end the session.
  /// `onListening` receives the listener once IOPub is subscribed (to post `.stop`).
  /// `localControl` (already told the session's id as it comes) answers `notify` and
  /// keeps the state file `ps` reads; it is stopped here, whatever happens.
  public static func run(
    connectionFile: String, connection: ConnectionInfo, setup: BridgeSetup,
    localControl: LocalControl?, emit: @escaping @Sendable (String) -> Void,
    onListening: (IOPubListener<CoreDriver>) -> Void
  ) throws -> CoreDriver.Ending {
    defer { localControl?.stop() }
    localControl?.configure(setup)
    let zmq = try Context()
    let listener = try IOPubListener<CoreDriver>.start(
      connection: connection, context: zmq
    ) {
      let monitor = CoreDriver(
        settings: setup.configuration.resolved.settings, context: setup.notification,
        sink: setup.sink, emit: emit, localControl: localControl)
      setup.sink.publish(monitor.snapshot)
      return monitor
    }
    let presence = KernelPresenceWatcher(connectionFile: connectionFile, connection: connection) {
      listener.post(.kernelPresence($0))
    }
    let heartbeat = try Heartbeat.start(connection: connection, context: zmq) { event in
      presence.heartbeatLost(event == .lost)
      listener.post(.heartbeat(event))
    }
    let watcher = SettingsWatcher(
      configuration: setup.configuration,
      onChange: {
        listener.post(.settings($0.settings))
        localControl?.configuredChanged($0)
      }, onProblem: emit)
    onListening(listener)
    localControl?.start(posting: listener)
    // Attach mode does not know the kernel's pid: interrupts go by message.
    let control = ControlClient(connection: connection, session: listener.session, context: zmq)
    setup.remote.attach(to: listener) {
      control.interruptInBackground(logger: Logger(label: "jupyter-lmk"))
    }
    // kernel_info on control: the shell channel is blocked while a cell runs.
    Thread {
      if let info = try? ControlClient(
        connection: connection, session: listener.session, context: zmq
      ).kernelInfo() {
        listener.post(.kernelInfo(info))
      }
    }.start()
    let ending = listener.wait()
    withExtendedLifetime((watcher, presence)) {}
    heartbeat.stop()
    setup.sink.finish(withinMilliseconds: 3000)
    return ending ?? .stopped
  }
}
