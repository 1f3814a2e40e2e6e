import Foundation
import ZMQWrap

/// Attach mode: watches a kernel someone else started, through its connection
/// file, until the kernel goes away or we are told to stop.
public final class AttachMonitor: IOPubConsumer {
  public enum Input: Sendable {
    case stop
    case heartbeat(Heartbeat.Event)
  }

  /// Why monitoring ended.
  public enum Ending: Sendable, Equatable {
    case stopped
    /// Heartbeat lost and the connection file deleted: a normal shutdown.
    case kernelShutDown
    /// Heartbeat lost while the connection file still exists.
    case kernelDied
  }

  private let connectionFile: String
  private let emit: @Sendable (String) -> Void
  private var transcript = ExecutionTranscript()
  private var shutdownSeen = false
  public private(set) var ending: Ending?
  private var lastDropLog: Int64 = .min

  init(connectionFile: String, emit: @escaping @Sendable (String) -> Void) {
    self.connectionFile = connectionFile
    self.emit = emit
  }

  public func receive(_ message: IOPubMessage, at now: ClockReading) {
    if case .welcome = message.content { emit("subscription confirmed (iopub_welcome)") }
    if case .shutdown = message.content { shutdownSeen = true }
    if case .status(.starting) = message.content { shutdownSeen = false }
    if let line = transcript.line(for: message) { emit(line) }
  }

  public func receive(_ input: Input, at now: ClockReading) {
    switch input {
    case .stop:
      ending = .stopped
    case .heartbeat(.recovered):
      emit("kernel answering again")
    case .heartbeat(.lost):
      if !FileManager.default.fileExists(atPath: connectionFile) {
        emit("kernel shut down (connection file removed)")
        ending = .kernelShutDown
      } else if shutdownSeen {
        emit("kernel not answering after a shutdown request; waiting for a restart")
      } else {
        emit("kernel died (heartbeat lost, connection file still present)")
        ending = .kernelDied
      }
    }
  }

  public func dropped(_ reason: DropReason, at now: ClockReading) {
    // At most one line a second, whatever a hostile peer sends.
    guard now.milliseconds - lastDropLog >= 1000 else { return }
    lastDropLog = now.milliseconds
    emit("dropped an IOPub message: \(reason.rawValue)")
  }

  public func tick(at now: ClockReading) {}
  public var nextDeadline: ClockReading? { nil }
  public var isFinished: Bool { ending != nil }

  /// Monitors the kernel of `connectionFile` until it goes away or `stop` is
  /// posted to the returned listener; `emit` receives the transcript lines.
  public static func run(
    connectionFile: String, connection: ConnectionInfo, emit: @escaping @Sendable (String) -> Void,
    onListening: (IOPubListener<Input>) -> Void
  ) throws -> Ending {
    let context = try Context()
    let result = EndingBox()
    let listener = try IOPubListener<Input>.start(connection: connection, context: context) {
      let monitor = AttachMonitor(connectionFile: connectionFile, emit: emit)
      result.monitor = monitor
      return monitor
    }
    let heartbeat = try Heartbeat.start(connection: connection, context: context) { event in
      listener.post(.heartbeat(event))
    }
    onListening(listener)
    DispatchQueue.global().async {
      let control = ControlClient(connection: connection, context: context)
      if let info = try? control.kernelInfo() {
        emit("kernel: \(info.implementation) (\(info.languageName))")
      }
    }
    listener.wait()
    heartbeat.stop()
    return result.monitor?.ending ?? .stopped
  }
}

/// Hands the monitor from the loop thread back after `wait()` returns.
private final class EndingBox: @unchecked Sendable {
  var monitor: AttachMonitor?
}
