/// How a `WebSocketClient` connects. The defaults suit a long-lived control socket.
public struct WebSocketOptions: Sendable {
  /// Extra request headers for the upgrade (names without the colon).
  public var headers: [(name: String, value: String)] = []
  /// Ping/pong liveness check; nil turns it off.
  public var heartbeat: Heartbeat? = Heartbeat()
  /// Seconds for DNS, TCP, TLS and the upgrade reply together (lws counts whole seconds).
  public var connectTimeoutSeconds: Int = 10
  /// After `close()`, how long to wait for the peer's close frame before dropping the socket.
  public var closeTimeoutMilliseconds: Int = 2000
  /// Larger incoming messages are dropped whole and counted; the connection stays open.
  public var maxMessageBytes: Int = 1 << 20
  /// Bytes queued by `send` and not yet written; beyond it `send` throws `queueFull`.
  public var maxQueuedBytes: Int = 1 << 20
  /// Where the HTTP CONNECT proxy comes from.
  public var proxy: ProxySetting = .environment
  /// A PEM file of CAs to trust instead of the system store (tests, private CAs).
  public var trustedCertificatesFile: String?

  public init() {}

  /// lws sends a ping once `pingAfterSeconds` pass without a pong (it does not count
  /// other traffic), and drops the connection once `hangUpAfterSeconds` pass: a dead
  /// peer is noticed at most `hangUpAfterSeconds` after the last pong.
  public struct Heartbeat: Sendable, Equatable {
    public var pingAfterSeconds: Int
    public var hangUpAfterSeconds: Int

    public init(pingAfterSeconds: Int = 2, hangUpAfterSeconds: Int = 5) {
      self.pingAfterSeconds = pingAfterSeconds
      self.hangUpAfterSeconds = hangUpAfterSeconds
    }
  }

  public enum ProxySetting: Sendable, Equatable {
    /// `https_proxy`/`HTTPS_PROXY` for wss, `http_proxy` for ws, then `all_proxy`/`ALL_PROXY`;
    /// `no_proxy`/`NO_PROXY` exempts hosts, as curl reads them.
    case environment
    /// Connect directly.
    case none
    /// This proxy, `[http://][user:password@]host[:port]`.
    case url(String)
  }
}
