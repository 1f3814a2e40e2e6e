import CWebSockets

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One WebSocket client connection over libwebsockets, with a thread of its own.
///
/// The connection starts in `init` and is never reused: to reconnect, make a new
/// client (cheap: one lws context and one thread, both gone when the client is).
/// Reconnect policy belongs to the caller.
///
/// Threading contract:
/// - `onEvent` runs on the client's service thread, one event at a time, in order:
///   at most one `.connected`, messages, then exactly one terminal event. It must
///   not block: while it runs nothing is read, written or pinged. Hand work off.
/// - `send`, `close` and `statistics` are thread-safe and never block on the network.
/// - Releasing the last reference aborts a live connection (no close handshake; call
///   `close()` first for one) and waits for the service thread to end, unless that
///   happens on the service thread itself (from `onEvent`): then it does not wait.
///   No event is delivered once `deinit` has returned.
/// - DNS is resolved on the service thread with the blocking resolver; a `deinit`
///   during a slow lookup waits for it.
public final class WebSocketClient: @unchecked Sendable {
  // Immutable after init; the C side locks around everything shared with its thread.
  private let handle: OpaquePointer
  private let sink: Unmanaged<EventSink>
  /// The URL with query values redacted: safe to log.
  public let redactedURL: String
  /// The proxy in use as `host:port` (no credentials), nil for a direct connection.
  public let proxy: String?

  /// Starts connecting to `url`; events arrive through `onEvent` (see the type's
  /// threading contract). Throws for a bad URL or options, never for the network.
  public init(
    url: String, options: WebSocketOptions = WebSocketOptions(),
    onEvent: @escaping @Sendable (WebSocketEvent) -> Void
  ) throws {
    let parsed = try WebSocketURL(url)
    let proxy = try ProxyResolver.proxy(for: parsed, setting: options.proxy) { name in
      getenv(name).map { String(cString: $0) }
    }
    let settings = try CSettings(options, url: parsed)
    let sink = Unmanaged.passRetained(EventSink(url: parsed, handler: onEvent))
    let errorSize = 256
    var error = [CChar](repeating: 0, count: errorSize)
    let started = settings.withOptions(url: parsed, proxy: proxy, user: sink.toOpaque()) {
      lmk_ws_start($0, &error, errorSize)
    }
    guard let started else {
      sink.release()
      throw WebSocketError(
        kind: .setup,
        detail: String(
          decoding: error.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self),
        url: parsed.redacted)
    }
    handle = started
    self.sink = sink
    redactedURL = parsed.redacted
    self.proxy = proxy.map(ProxyResolver.displayName)
  }

  /// Connects and returns the events as a stream, which finishes after the terminal
  /// event. The stream buffers without bound; consume it.
  public static func connect(url: String, options: WebSocketOptions = WebSocketOptions())
    throws -> (client: WebSocketClient, events: AsyncStream<WebSocketEvent>)
  {
    let (events, continuation) = AsyncStream<WebSocketEvent>.makeStream()
    let client = try WebSocketClient(url: url, options: options) { event in
      continuation.yield(event)
      if event.isTerminal { continuation.finish() }
    }
    return (client, events)
  }

  deinit {
    lmk_ws_destroy(handle)
    sink.release()
  }

  /// Queues a text message for the service thread to write. Thread-safe.
  /// Throws `notOpen` before `.connected` and after `close()` or a terminal event,
  /// and `queueFull` beyond `maxQueuedBytes`.
  public func send(text: String) throws {
    var text = text
    try text.withUTF8 { try send(UnsafeRawBufferPointer($0), binary: false) }
  }

  /// Queues a binary message. Thread-safe; throws as `send(text:)`.
  public func send(binary: [UInt8]) throws {
    try binary.withUnsafeBytes { try send($0, binary: true) }
  }

  private func send(_ bytes: UnsafeRawBufferPointer, binary: Bool) throws {
    switch lmk_ws_send(handle, bytes.baseAddress, bytes.count, binary ? 1 : 0) {
    case 0: return
    case -2: throw WebSocketError(kind: .queueFull, detail: "", url: redactedURL)
    default: throw WebSocketError(kind: .notOpen, detail: "", url: redactedURL)
    }
  }

  /// Starts the close handshake (or abandons a connection still being made);
  /// the terminal event follows. Thread-safe, never blocks; later calls do nothing.
  /// `code` outside 1000–4999 or reserved (1004–1006, 1015) becomes 1000; the
  /// reason is cut to 123 bytes at a character boundary.
  public func close(code: UInt16 = 1000, reason: String = "") {
    let valid = (1000...4999).contains(code) && ![1004, 1005, 1006, 1015].contains(code)
    var reasonBytes = Array(reason.utf8)
    if reasonBytes.count > 123 {
      var end = 123
      while end > 0 && reasonBytes[end] & 0xC0 == 0x80 { end -= 1 }
      reasonBytes = Array(reasonBytes[..<end])
    }
    reasonBytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) {
        lmk_ws_close(handle, Int32(valid ? code : 1000), $0.baseAddress, $0.count)
      }
    }
  }

  /// Counters for this connection. Thread-safe.
  public var statistics: WebSocketStatistics {
    var stats = lmk_ws_stats()
    lmk_ws_get_stats(handle, &stats)
    return WebSocketStatistics(
      messagesReceived: stats.messages_received, messagesSent: stats.messages_sent,
      oversizedDropped: stats.oversized_dropped, queuedBytes: stats.queued_bytes)
  }
}

/// Counters of one connection.
public struct WebSocketStatistics: Sendable, Equatable {
  public let messagesReceived: UInt64
  public let messagesSent: UInt64
  /// Messages over `maxMessageBytes`, dropped whole.
  public let oversizedDropped: UInt64
  public let queuedBytes: UInt64
}
