import Foundation
import ZMQWrap
import JupyterProtocol

/// Sends single requests on a kernel's control channel.
///
/// Control, not shell: the shell channel is blocked while a cell runs, and
/// the bridge must learn the kernel's language or interrupt it mid-cell.
public struct ControlClient: Sendable {
  public let connection: ConnectionInfo
  public let context: Context
  private let encoder: RequestEncoder

  public init(connection: ConnectionInfo, context: Context) {
    self.connection = connection
    self.context = context
    self.encoder = RequestEncoder(
      signer: MessageSigner(scheme: connection.signatureScheme, key: connection.key),
      session: UUID().uuidString.lowercased())
  }

  /// Asks for `kernel_info` and waits up to `timeoutMilliseconds` for the reply.
  public func kernelInfo(timeoutMilliseconds: Int = 5000) throws -> KernelInfoReply? {
    let msgId = UUID().uuidString.lowercased()
    let socket = try KernelSockets.connect(.dealer, to: .control, of: connection, context: context)
    defer { socket.close() }
    try socket.send(
      encoder.encode(msgType: "kernel_info_request", msgId: msgId, date: MonotonicClock.wallDate()))
    var poller = Poller()
    poller.addReadable(socket)
    let frames = FrameBuffer()
    var replayGuard = ReplayGuard(capacity: 16)
    let deadline = MonotonicClock.now().adding(milliseconds: Int64(timeoutMilliseconds))
    while true {
      let left = deadline.milliseconds - MonotonicClock.now().milliseconds
      guard left > 0, try poller.poll(timeoutMilliseconds: Int(left)) > 0 else { return nil }
      while try socket.receive(into: frames, dontWait: true) {
        if case .success(let reply) = KernelInfoReply.decode(
          frames, signer: encoder.signer, replayGuard: &replayGuard), reply.inReplyTo == msgId
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
      encoder.encode(
        msgType: "interrupt_request", msgId: UUID().uuidString.lowercased(),
        date: MonotonicClock.wallDate()))
    socket.close()
  }
}
