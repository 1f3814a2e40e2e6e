import CWebSockets

/// Turns the C shim's events into `WebSocketEvent`s for the caller's handler.
/// Retained by its client; the C side holds it unretained, and the shim delivers
/// nothing after `lmk_ws_destroy`, which the client calls before releasing it.
final class EventSink: Sendable {
  let url: WebSocketURL
  let handler: @Sendable (WebSocketEvent) -> Void

  init(url: WebSocketURL, handler: @escaping @Sendable (WebSocketEvent) -> Void) {
    self.url = url
    self.handler = handler
  }

  /// The C callback: `user` is an unretained `EventSink`.
  static let callback: lmk_ws_event_fn = { user, event in
    guard let user, let event else { return }
    let sink = Unmanaged<EventSink>.fromOpaque(user).takeUnretainedValue()
    sink.handler(sink.translate(event.pointee))
  }

  func translate(_ event: lmk_ws_event) -> WebSocketEvent {
    let bytes: UnsafeRawBufferPointer =
      if let data = event.data { UnsafeRawBufferPointer(start: data, count: event.length) } else {
        UnsafeRawBufferPointer(start: nil, count: 0)
      }
    func text() -> String { String(decoding: bytes, as: UTF8.self) }
    switch event.kind {
    case LMK_WS_EVENT_CONNECTED:
      return .connected
    case LMK_WS_EVENT_TEXT:
      return .text(text())
    case LMK_WS_EVENT_BINARY:
      return .binary(Array(bytes))
    case LMK_WS_EVENT_CLOSED:
      let code = UInt16(exactly: event.close_code) ?? 1005
      return .closed(WebSocketClose(code: code, reason: text(), byPeer: event.closed_by_peer != 0))
    default:
      let kind: WebSocketError.Kind =
        switch event.failure {
        case LMK_WS_FAILURE_TLS: .tls
        case LMK_WS_FAILURE_UPGRADE_REFUSED: .upgradeRefused(status: Int(event.http_status))
        case LMK_WS_FAILURE_HANDSHAKE: .handshake
        case LMK_WS_FAILURE_CONNECTION_LOST: .connectionLost
        case LMK_WS_FAILURE_HEARTBEAT_TIMEOUT: .heartbeatTimeout
        default: .connect
        }
      return .failed(WebSocketError(kind: kind, detail: url.scrub(text()), url: url.redacted))
    }
  }
}
