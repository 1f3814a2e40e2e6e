import CZeroMQ

/// Owns a libzmq context.
///
/// Every `Socket` keeps its context alive, so the context is terminated only
/// after its last socket has been closed — `zmq_ctx_term` blocks while any
/// socket is open, which is how older Swift wrappers came to hang on exit.
public final class Context: @unchecked Sendable {
  // The handle is immutable and libzmq contexts are thread-safe.
  let handle: UnsafeMutableRawPointer

  public init() throws {
    guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
    self.handle = handle
  }

  /// Creates a socket of the given type that keeps this context alive.
  public func socket(_ type: SocketType) throws -> Socket {
    try Socket(context: self, type: type)
  }

  deinit {
    while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
  }
}
