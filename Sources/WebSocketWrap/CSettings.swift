import CWebSockets

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `WebSocketOptions` checked and converted for `lmk_ws_options`: every number
/// range-checked here, so nothing reaching C can overflow or trap.
struct CSettings {
  let pingAfter: UInt32
  let hangUpAfter: UInt32
  let connectTimeout: UInt32
  let closeTimeout: UInt32
  let maxMessageBytes: Int
  let maxQueuedBytes: Int
  let headers: [(name: String, value: String)]
  let caFile: String?

  init(_ options: WebSocketOptions, url: WebSocketURL) throws {
    func invalid(_ why: String) -> WebSocketError {
      WebSocketError(kind: .invalidConfiguration, detail: why, url: url.redacted)
    }
    if let heartbeat = options.heartbeat {
      guard (1...3600).contains(heartbeat.pingAfterSeconds),
        heartbeat.hangUpAfterSeconds > heartbeat.pingAfterSeconds,
        heartbeat.hangUpAfterSeconds <= 3600
      else { throw invalid("heartbeat: need 1 ≤ pingAfter < hangUpAfter ≤ 3600 seconds") }
      pingAfter = UInt32(heartbeat.pingAfterSeconds)
      hangUpAfter = UInt32(heartbeat.hangUpAfterSeconds)
    } else {
      pingAfter = 0
      hangUpAfter = 0
    }
    guard (1...600).contains(options.connectTimeoutSeconds) else {
      throw invalid("connect timeout: 1...600 seconds")
    }
    guard (1...600_000).contains(options.closeTimeoutMilliseconds) else {
      throw invalid("close timeout: 1...600000 ms")
    }
    guard options.maxMessageBytes >= 1, options.maxQueuedBytes >= 1 else {
      throw invalid("message and queue limits must be positive")
    }
    connectTimeout = UInt32(options.connectTimeoutSeconds)
    closeTimeout = UInt32(options.closeTimeoutMilliseconds)
    maxMessageBytes = options.maxMessageBytes
    maxQueuedBytes = options.maxQueuedBytes
    for header in options.headers {
      guard !header.name.isEmpty, header.name.utf8.count < 200,
        header.name.utf8.allSatisfy(CSettings.isTokenByte)
      else { throw invalid("bad header name") }
      // Values are not shown: a header may carry a credential.
      guard header.value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
        throw invalid("bad value for header \(header.name)")
      }
    }
    headers = options.headers
    caFile = options.trustedCertificatesFile
  }

  /// RFC 9110 token characters.
  private static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      true
    default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }
  }

  /// Calls `body` with C options whose strings live for the call.
  func withOptions<R>(
    url: WebSocketURL, proxy: String?, user: UnsafeMutableRawPointer,
    _ body: (UnsafePointer<lmk_ws_options>) -> R
  ) -> R {
    // strdup'd copies, freed after the call (lmk_ws_start copies what it keeps).
    let strings = CStrings()
    let names = headers.map { strings.copy($0.name) }
    let values = headers.map { strings.copy($0.value) }
    return names.withUnsafeBufferPointer { names in
      values.withUnsafeBufferPointer { values in
        var options = lmk_ws_options()
        options.address = strings.copy(url.host)
        options.port = Int32(url.port)
        options.path = strings.copy(url.target)
        options.host_header = strings.copy(url.hostHeader)
        options.tls = url.secure ? 1 : 0
        options.ca_file = caFile.flatMap(strings.copy)
        options.proxy = proxy.flatMap(strings.copy)
        options.header_names = names.baseAddress
        options.header_values = values.baseAddress
        options.header_count = names.count
        options.ping_after_seconds = pingAfter
        options.hang_up_after_seconds = hangUpAfter
        options.connect_timeout_seconds = connectTimeout
        options.close_timeout_ms = closeTimeout
        options.max_message_bytes = maxMessageBytes
        options.max_queued_bytes = maxQueuedBytes
        options.on_event = EventSink.callback
        options.user = user
        return withUnsafePointer(to: &options) { body($0) }
      }
    }
  }
}

/// C strings owned until this object goes.
private final class CStrings {
  private var pointers: [UnsafeMutablePointer<CChar>] = []

  func copy(_ text: String) -> UnsafePointer<CChar>? {
    guard let pointer = strdup(text) else { return nil }
    pointers.append(pointer)
    return UnsafePointer(pointer)
  }

  deinit { pointers.forEach { free($0) } }
}
