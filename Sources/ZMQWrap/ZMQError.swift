import CZeroMQ

/// A failed libzmq call, with the operation that failed and libzmq's own words for it.
public struct ZMQError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The `errno` value libzmq reported.
  public let code: Int32
  /// What we were doing, e.g. `connect tcp://127.0.0.1:5555`.
  public let operation: String

  public init(code: Int32, operation: String) {
    self.code = code
    self.operation = operation
  }

  /// Captures `zmq_errno()` right after a failed call.
  static func last(_ operation: String) -> ZMQError {
    ZMQError(code: zmq_errno(), operation: operation)
  }

  public var description: String {
    "\(operation): \(String(cString: zmq_strerror(code)))"
  }

  /// The call would have blocked (EAGAIN).
  public var wouldBlock: Bool { code == EAGAIN }
  /// The call was interrupted by a signal (EINTR).
  public var interrupted: Bool { code == EINTR }
  /// The context was terminated under the socket (ETERM).
  public var contextTerminated: Bool { code == ETERM }
}

/// Whether the linked libzmq supports a capability such as `"curve"` or `"ipc"`.
public func zmqHas(_ capability: String) -> Bool {
  zmq_has(capability) == 1
}

/// The linked libzmq's version as (major, minor, patch).
public func zmqVersion() -> (major: Int32, minor: Int32, patch: Int32) {
  var major: Int32 = 0
  var minor: Int32 = 0
  var patch: Int32 = 0
  zmq_version(&major, &minor, &patch)
  return (major, minor, patch)
}
