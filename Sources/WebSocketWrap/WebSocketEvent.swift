/// What happens on a connection, in order: at most one `connected`, messages,
/// then exactly one terminal event, `closed` or `failed`.
public enum WebSocketEvent: Sendable, Equatable {
  case connected
  /// A whole text message (fragments joined; lws has checked the UTF-8).
  case text(String)
  /// A whole binary message.
  case binary([UInt8])
  /// Terminal: a close handshake, or `close()` before the connection opened.
  case closed(WebSocketClose)
  /// Terminal: never opened, or lost without a close handshake.
  case failed(WebSocketError)

  /// Whether this is the last event of the connection.
  public var isTerminal: Bool {
    switch self {
    case .closed, .failed: true
    case .connected, .text, .binary: false
    }
  }
}

/// How a connection was closed.
public struct WebSocketClose: Sendable, Equatable {
  /// The close code (1005 when the close frame carried none). lws turns codes it
  /// considers invalid on the wire (1012–1014 among them) into 1002.
  public let code: UInt16
  public let reason: String
  /// The peer sent the first close frame (else `close()` did).
  public let byPeer: Bool

  public init(code: UInt16, reason: String, byPeer: Bool) {
    self.code = code
    self.reason = reason
    self.byPeer = byPeer
  }
}
