import Foundation
import JupyterProtocol
import Logging
import Synchronization
import ZMQWrap

/// Sends single requests on a kernel's control channel.
///
/// Control, not shell: the shell channel is blocked while a cell runs, and
/// the bridge must learn the kernel's language or interrupt it mid-cell.
/// One session for all its requests, so a reply replayed into a later call is refused.
public struct ControlClient: Sendable {
  public let connection: ConnectionInfo
  public let context: Context
  private let session: SessionHolder

  /// A client signing and verifying with `session` (e.g. the IOPub listener's).
  public init(connection: ConnectionInfo, session: JupyterSession, context: Context) {
    self.connection = connection
    self.context = context
    self.session = SessionHolder(session)
  }

  /// Asks for `kernel_info` and waits up to `timeoutMilliseconds` for the reply.
  public func kernelInfo(timeoutMilliseconds: Int = 5000) throws -> KernelInfoReply? {
    let msgId = UUID().uuidString.lowercased()
    let socket = try KernelSockets.connect(.dealer, to: .control, of: connection, context: context)
    defer { socket.close() }
    try socket.send(
      session.request(
        msgType: "kernel_info_request", msgId: msgId, date: MonotonicClock.wallDate()))
    var poller = Poller()
    poller.addReadable(socket)
    let frames = FrameBuffer()
    let deadline = MonotonicClock.now().adding(milliseconds: Int64(timeoutMilliseconds))
    while true {
      let left = deadline.milliseconds - MonotonicClock.now().milliseconds
      guard left > 0, try poller.poll(timeoutMilliseconds: Int(left)) > 0 else { return nil }
      while try socket.receive(into: frames, dontWait: true) {
        if case .success(let reply) = session.decodeKernelInfoReply(frames),
          reply.inReplyTo == msgId
        {
          return reply
        }
      }
    }
  }

  /// Sends an `interrupt_request` (for `interrupt_mode: message` kernels and
  /// attach mode, where the kernel's pid is unknown). Does not wait for the reply.
  public func interrupt() throws {
    let socket = try KernelSockets.connect(.dealer, to: .control, of: connection, context: context)
    try socket.setLinger(milliseconds: 1000)
    try socket.send(
      session.request(
        msgType: "interrupt_request", msgId: UUID().uuidString.lowercased(),
        date: MonotonicClock.wallDate()))
    socket.close()
  }

  /// Sends an `interrupt_request` from a thread of its own (the send may linger a
  /// second); a failure is logged.
  public func interruptInBackground(logger: Logger) {
    Thread {
      do {
        try interrupt()
        logger.info("interrupt_request sent to the kernel (asked by the LMK app)")
      } catch {
        logger.warning("could not send interrupt_request to the kernel: \(error)")
      }
    }.start()
  }
}

/// The control channel's session, shared by the client's copies: calls may come
/// from different threads, and the replay history lives from one call to the next.
private final class SessionHolder: Sendable {
  private let session: Mutex<JupyterSession>
  /// Immutable, so requests are signed without the lock.
  private let signing: JupyterSession

  init(_ session: JupyterSession) {
    self.session = Mutex(session)
    self.signing = session
  }

  func request(msgType: String, msgId: String, date: String) -> [[UInt8]] {
    signing.request(msgType: msgType, msgId: msgId, date: date)
  }

  func decodeKernelInfoReply(_ frames: FrameBuffer) -> Result<KernelInfoReply, DropReason> {
    session.withLock { KernelInfoReply.decode(frames, session: &$0) }
  }
}
