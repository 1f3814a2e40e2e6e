/// Why a WebSocket could not be made, was lost, or refused a call.
///
/// `description` names the URL redacted (query values replaced) and scrubs any
/// query value from lws's words, so it is safe to log.
public struct WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// The URL is not a usable `ws://` or `wss://` URL.
    case invalidURL
    /// An option or a proxy setting from the environment cannot be used.
    case invalidConfiguration
    /// libwebsockets could not create its context or thread.
    case setup
    /// DNS, TCP, the proxy, or a timeout before any HTTP reply to the upgrade.
    case connect
    /// The TLS handshake failed or the server's certificate was rejected.
    case tls
    /// The server answered the upgrade with this HTTP status (401, 404, 503, …).
    case upgradeRefused(status: Int)
    /// A 101 reply that is not a valid WebSocket upgrade.
    case handshake
    /// The open connection ended without a close handshake (reset, EOF, bad frame).
    case connectionLost
    /// The open connection was dropped: no pong within the heartbeat's hang-up time.
    case heartbeatTimeout
    /// `send` while the connection is not open (not yet, or no longer).
    case notOpen
    /// `send` beyond `WebSocketOptions.maxQueuedBytes`.
    case queueFull
  }

  public let kind: Kind
  /// libwebsockets' own words where there are some (redacted), else ours.
  public let detail: String
  /// The URL, redacted.
  public let url: String

  public init(kind: Kind, detail: String, url: String) {
    self.kind = kind
    self.detail = detail
    self.url = url
  }

  /// The HTTP status of a refused upgrade.
  public var httpStatus: Int? {
    if case .upgradeRefused(let status) = kind { return status }
    return nil
  }

  public var description: String {
    let what =
      switch kind {
      case .invalidURL: "invalid URL"
      case .invalidConfiguration: "invalid configuration"
      case .setup: "setup failed"
      case .connect: "could not connect"
      case .tls: "TLS failed"
      case .upgradeRefused(let status): "upgrade refused with HTTP \(status)"
      case .handshake: "bad upgrade reply"
      case .connectionLost: "connection lost"
      case .heartbeatTimeout: "heartbeat timeout"
      case .notOpen: "not open"
      case .queueFull: "send queue full"
      }
    return detail.isEmpty ? "\(url): \(what)" : "\(url): \(what): \(detail)"
  }
}
