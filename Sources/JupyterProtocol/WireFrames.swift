/// The frames of one received message, as the decoder reads them.
///
/// The receive loop passes libzmq's own buffers (`FrameBuffer`) so nothing is
/// copied; tests may pass owned bytes.
public protocol WireFrames {
  var count: Int { get }
  subscript(index: Int) -> UnsafeRawBufferPointer { get }
}

/// The Jupyter wire delimiter between routing prefixes and the message.
public let wireDelimiter: [UInt8] = Array("<IDS|MSG>".utf8)
