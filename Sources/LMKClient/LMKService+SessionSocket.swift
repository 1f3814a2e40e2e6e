import Foundation

/// Where the session WebSocket connects, with the token it proves itself with.
/// `url` holds the token in its query: never log it (`WebSocketClient.redactedURL` is safe).
public struct SessionSocketAddress: Sendable, Equatable {
  public var url: String
  /// The access token in `url`, to name as rejected after a 401.
  public var token: String

  public init(url: String, token: String) {
    self.url = url
    self.token = token
  }
}

/// What the LMK app may change in a running session: the fields the bridge follows.
public struct RemoteSessionSettings: Sendable, Equatable {
  public var notifyOn: String?
  public var notifyChannel: String?

  public init(notifyOn: String?, notifyChannel: String?) {
    self.notifyOn = notifyOn
    self.notifyChannel = notifyChannel
  }
}

extension LMKService {
  /// The session socket's address (`{server}/v1/session/ws?token=…`, ws for http, wss
  /// for https, without userinfo) with a token fetched now: a fresh one on every
  /// (re)connect, and one other than `rejected` after the server refused that one.
  public func sessionSocketAddress(rejecting rejected: String? = nil) async throws
    -> SessionSocketAddress
  {
    let token = try await rejected == nil ? tokens.token() : tokens.refresh(rejecting: rejected)
    return SessionSocketAddress(
      url: Self.sessionSocketURL(server: serverURL, token: token), token: token)
  }

  /// The socket URL for `server` (pure, for the tests).
  static func sessionSocketURL(server: URL, token: String) -> String {
    var components = URLComponents(url: server, resolvingAgainstBaseURL: false) ?? URLComponents()
    components.scheme = components.scheme == "https" ? "wss" : "ws"
    components.user = nil
    components.password = nil
    let base = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
    components.path = base + "/v1/session/ws"
    components.queryItems = nil
    components.fragment = nil
    // Percent-encode everything but unreserved characters: a token is opaque.
    var unreserved = CharacterSet.alphanumerics
    unreserved.insert(charactersIn: "-._~")
    let encoded = token.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    components.percentEncodedQuery = "token=" + encoded
    return components.string ?? ""
  }

  /// What the session holds now of the fields the app may change (`getSession`): after a
  /// reconnect it tells what the app changed while the socket was down.
  public func remoteSettings(sessionId: String, budget: RetryPolicy? = nil) async throws
    -> RemoteSessionSettings
  {
    let session = try await getSession(id: sessionId, budget: budget)
    guard case .jupyter(let state) = session.state else {
      return RemoteSessionSettings(notifyOn: nil, notifyChannel: nil)
    }
    return RemoteSessionSettings(notifyOn: state.notifyOn, notifyChannel: state.notifyChannel)
  }
}
