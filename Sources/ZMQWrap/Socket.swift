import CZeroMQ

/// A libzmq socket. Not thread-safe (as libzmq sockets are not): create and
/// use it on one thread. It keeps its `Context` alive and closes itself on deinit.
public final class Socket {
  private let context: Context
  private var handle: UnsafeMutableRawPointer?

  init(context: Context, type: SocketType) throws {
    guard let handle = zmq_socket(context.handle, type.rawValue) else {
      throw ZMQError.last("zmq_socket")
    }
    self.context = context
    self.handle = handle
  }

  deinit { close() }

  /// Closes the socket now; pending outgoing messages follow the linger setting.
  public func close() {
    if let handle {
      zmq_close(handle)
      self.handle = nil
    }
  }

  func open(_ operation: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
    guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation()) }
    return handle
  }

  public func connect(_ endpoint: String) throws {
    if zmq_connect(try open("connect \(endpoint)"), endpoint) != 0 {
      throw ZMQError.last("connect \(endpoint)")
    }
  }

  public func bind(_ endpoint: String) throws {
    if zmq_bind(try open("bind \(endpoint)"), endpoint) != 0 {
      throw ZMQError.last("bind \(endpoint)")
    }
  }

  /// The endpoint the socket last bound to, with the port a wildcard bind chose.
  public func lastEndpoint() throws -> String {
    var buffer = [CChar](repeating: 0, count: 1024)
    var size = buffer.count
    if zmq_getsockopt(try open("last endpoint"), ZMQ_LAST_ENDPOINT, &buffer, &size) != 0 {
      throw ZMQError.last("getsockopt ZMQ_LAST_ENDPOINT")
    }
    return String(
      decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: Options

  func setOption(_ option: Int32, _ value: Int32, _ name: String) throws {
    var value = value
    if zmq_setsockopt(try open(name), option, &value, MemoryLayout<Int32>.size) != 0 {
      throw ZMQError.last("setsockopt \(name)")
    }
  }

  func setOption(_ option: Int32, bytes: [UInt8], _ name: String) throws {
    let handle = try open(name)
    let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
    if rc != 0 { throw ZMQError.last("setsockopt \(name)") }
  }

  /// How long unsent messages are kept after close, in milliseconds (-1 = forever).
  public func setLinger(milliseconds: Int32) throws {
    try setOption(ZMQ_LINGER, milliseconds, "ZMQ_LINGER")
  }

  /// The receive queue limit in messages (libzmq's default is 1000).
  public func setReceiveHighWaterMark(_ messages: Int32) throws {
    try setOption(ZMQ_RCVHWM, messages, "ZMQ_RCVHWM")
  }

  /// The send queue limit in messages (libzmq's default is 1000).
  public func setSendHighWaterMark(_ messages: Int32) throws {
    try setOption(ZMQ_SNDHWM, messages, "ZMQ_SNDHWM")
  }

  /// Adds a SUB subscription; set it before `connect` so nothing published early is missed.
  public func subscribe(_ topic: [UInt8]) throws {
    try setOption(ZMQ_SUBSCRIBE, bytes: topic, "ZMQ_SUBSCRIBE")
  }

  public func subscribe(_ topic: String) throws { try subscribe(Array(topic.utf8)) }

  /// XPUB: pass every subscription message up, not just the first per topic.
  public func setXPubVerbose(_ on: Bool) throws {
    try setOption(ZMQ_XPUB_VERBOSE, on ? 1 : 0, "ZMQ_XPUB_VERBOSE")
  }

  /// REQ: allow a new request without a reply to the last one (a lost heartbeat).
  public func setRequestRelaxed(_ on: Bool) throws {
    try setOption(ZMQ_REQ_RELAXED, on ? 1 : 0, "ZMQ_REQ_RELAXED")
    try setOption(ZMQ_REQ_CORRELATE, on ? 1 : 0, "ZMQ_REQ_CORRELATE")
  }

  /// Makes this socket a CurveZMQ client of a server with the given public key.
  /// Keys are 40-character Z85 strings.
  public func setCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
    try setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8), "ZMQ_CURVE_SERVERKEY")
    try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.utf8), "ZMQ_CURVE_PUBLICKEY")
    try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
  }

  /// Makes this socket a CurveZMQ server with the given Z85 secret key.
  public func setCurveServer(secretKey: String) throws {
    try setOption(ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER")
    try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
  }

  // MARK: Sending

  /// Sends one frame; `more` marks that further frames of the same message follow.
  /// Returns false when `dontWait` is set and the message could not be queued.
  @discardableResult
  public func send(_ frame: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false)
    throws -> Bool
  {
    let handle = try open("send")
    var flags: Int32 = 0
    if more { flags |= ZMQ_SNDMORE }
    if dontWait { flags |= ZMQ_DONTWAIT }
    while zmq_send(handle, frame.baseAddress, frame.count, flags) < 0 {
      let error = ZMQError.last("send")
      if error.interrupted { continue }
      if error.wouldBlock && dontWait { return false }
      throw error
    }
    return true
  }

  /// Sends a multipart message; each element is one frame.
  @discardableResult
  public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws -> Bool {
    for (index, frame) in frames.enumerated() {
      let more = index < frames.count - 1
      // Only the first frame may be refused: once begun, a message is queued whole.
      let sent = try frame.withUnsafeBytes {
        try send($0, more: more, dontWait: dontWait && index == 0)
      }
      if !sent { return false }
    }
    return true
  }

  // MARK: Receiving

  /// Receives one whole multipart message into `buffer`, reusing its frames.
  /// Returns false when `dontWait` is set and no message is waiting.
  public func receive(into buffer: FrameBuffer, dontWait: Bool = false) throws -> Bool {
    try buffer.receive(from: open("receive"), dontWait: dontWait)
  }

  /// Receives one whole multipart message as owned frames; nil when `dontWait`
  /// is set and no message is waiting.
  public func receiveMultipart(dontWait: Bool = false) throws -> [[UInt8]]? {
    let buffer = FrameBuffer()
    guard try receive(into: buffer, dontWait: dontWait) else { return nil }
    return (0..<buffer.count).map { Array(buffer[$0]) }
  }

  /// The raw handle, for `Poller`.
  var rawHandle: UnsafeMutableRawPointer? { handle }
}
