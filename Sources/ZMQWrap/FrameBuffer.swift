import CZeroMQ

/// The frames of one received multipart message, held in libzmq's own
/// messages (`zmq_msg_recv`), so nothing is copied until the caller asks.
///
/// The buffer is reused from message to message; a frame's bytes are valid
/// until the next receive into the same buffer. Messages with more than
/// `maxFrames` frames keep the first `maxFrames` and set `truncated`, so a
/// hostile peer cannot make it grow without bound.
public final class FrameBuffer {
  public let maxFrames: Int
  private let messages: UnsafeMutablePointer<zmq_msg_t>
  /// Where frames past `maxFrames` are received and dropped.
  private let overflow: UnsafeMutablePointer<zmq_msg_t>
  /// The number of frames of the last message that are held.
  public private(set) var count = 0
  /// The last message had more frames than `maxFrames`.
  public private(set) var truncated = false

  public init(maxFrames: Int = 64) {
    self.maxFrames = max(1, maxFrames)
    messages = .allocate(capacity: self.maxFrames)
    overflow = .allocate(capacity: 1)
    for index in 0..<self.maxFrames { zmq_msg_init(messages + index) }
    zmq_msg_init(overflow)
  }

  deinit {
    for index in 0..<maxFrames { zmq_msg_close(messages + index) }
    zmq_msg_close(overflow)
    messages.deallocate()
    overflow.deallocate()
  }

  /// The bytes of frame `index`, valid until the next receive.
  public subscript(index: Int) -> UnsafeRawBufferPointer {
    precondition(index >= 0 && index < count, "frame index out of range")
    let message = messages + index
    return UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message))
  }

  func receive(from socket: UnsafeMutableRawPointer, dontWait: Bool) throws -> Bool {
    count = 0
    truncated = false
    var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
    while true {
      let target = count < maxFrames ? messages + count : overflow
      if zmq_msg_recv(target, socket, flags) < 0 {
        let error = ZMQError.last("zmq_msg_recv")
        if error.interrupted { continue }
        if error.wouldBlock && dontWait && count == 0 && !truncated { return false }
        throw error
      }
      if count < maxFrames { count += 1 } else { truncated = true }
      if zmq_msg_more(target) == 0 { return true }
      // The rest of a multipart message is already queued: never give up half-way.
      flags = 0
    }
  }
}
