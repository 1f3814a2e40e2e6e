import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import Synchronization

/// The LMK operations the bridge and the CLI need, over the generated `Client`, with
/// credentials, refresh, retries and the event outbox wired in. Errors are `LMKError`.
public final class LMKService: Sendable {
  public typealias JupyterState = Components.Schemas.JupyterSessionState
  public typealias PartialJupyterState = Components.Schemas.PartialJupyterSessionState
  public typealias Event = Components.Schemas.EventRequest
  public typealias Session = Components.Schemas.SessionResponse
  public typealias Channel = Components.Schemas.NotificationChannelResponse
  public typealias App = Components.Schemas.AppResponse
  public typealias LoginSession = Components.Schemas.HeadlessAuthSessionResponse

  public let configuration: LMKConfiguration
  public let credentials: CredentialStore
  public let outbox: Outbox
  /// The server in use: `LMK_SERVER_URL`, else the profile's `server_url`, else production.
  public let serverURL: URL
  /// Which of those three `serverURL` came from (shown by `status`).
  public let serverURLSource: ServerURLSource
  let client: Client
  /// Without the auth middleware: for the anonymous operations (login, refresh).
  let anonymousClient: Client
  let tokens: TokenProvider
  let logger: Logger
  /// Events the outbox could not store, sent from memory (`UnsavedEvents.swift`).
  let unsaved = Mutex<[Event]>([])

  /// `serverURL` as it may be shown or logged: without userinfo (a password) or tokens.
  public var displayServerURL: String { redactedURL(serverURL.absoluteString) }

  public init(configuration: LMKConfiguration = LMKConfiguration(), logger: Logger) throws {
    self.configuration = configuration
    self.logger = logger
    let store = CredentialStore(environment: configuration.environment)
    credentials = store
    outbox = Outbox(
      directory: configuration.outboxDirectory, capacity: configuration.outboxCapacity,
      logger: logger)
    // An unreadable credentials file (too large, a FIFO) is one clear error, not "not logged in".
    let configured = try store.load().serverURL
    let urlText = configured ?? LMKConfiguration.defaultServerURL
    guard let url = URL(string: urlText), let scheme = url.scheme,
      ["http", "https"].contains(scheme), url.host != nil
    else {
      throw LMKError.file(
        path: store.path, message: "server URL \(redactedURL(urlText)) is not an http(s) URL")
    }
    serverURL = url
    serverURLSource =
      configured == nil
      ? .builtInDefault
      : (configuration.environment["LMK_SERVER_URL"].map { !$0.isEmpty } ?? false)
        ? .environment : .profile
    let transport = CurlTransport(timeouts: configuration.timeouts, logger: logger)
    let retry = RetryMiddleware(policy: configuration.retry, logger: logger)
    let anonymous = Client(serverURL: url, transport: transport, middlewares: [retry])
    anonymousClient = anonymous
    let appID = configuration.appID
    tokens = TokenProvider(store: store, logger: logger) { refreshToken in
      try await Self.refresh(client: anonymous, appID: appID, refreshToken: refreshToken)
    }
    client = Client(
      serverURL: url, transport: transport, middlewares: [AuthMiddleware(tokens: tokens), retry])
  }

  // MARK: Sessions

  /// Creates the session shown in the LMK app; returns it (its `sessionId` identifies it).
  public func createSession(name: String, state: JupyterState, budget: RetryPolicy? = nil)
    async throws -> Session
  {
    try await call("createSession", budget) {
      switch try await client.createSession(body: .json(.init(state: .jupyter(state), name: name)))
      {
      case .created(let created): return try created.body.json
      case .undocumented(let status, let payload):
        throw await failure("createSession", status, payload)
      }
    }
  }

  /// Sends a partial state; throws `LMKError.sessionEnded` when the user ended the session (409).
  /// `type` is always sent: without it the body matches every branch of the contract's
  /// `oneOf` (all partial states are all-optional) and is invalid.
  public func updateSession(id: String, state: PartialJupyterState, budget: RetryPolicy? = nil)
    async throws
  {
    var state = state
    state._type = .jupyter
    try await call("updateSession", budget) {
      switch try await client.updateSession(
        path: .init(sessionId: id), body: .json(.init(state: .PartialJupyterSessionState(state))))
      {
      case .ok: return
      case .conflict: throw LMKError.sessionEnded(sessionID: id)
      case .undocumented(let status, let payload):
        throw await failure("updateSession", status, payload)
      }
    }
  }

  /// Marks the session ended (kernel gone or bridge stopping). Ending an ended session is not an error.
  public func endSession(id: String, budget: RetryPolicy? = nil) async throws {
    do {
      try await sendEnd(id: id, budget: budget)
    } catch let error as LMKError {
      outbox.recordDeliveryError(error, operation: "endSession")
      throw error
    }
  }

  func sendEnd(id: String, budget: RetryPolicy?) async throws {
    try await call("endSession", budget) {
      switch try await client.endSession(path: .init(sessionId: id)) {
      case .created: return
      case .undocumented(409, _): return
      case .undocumented(let status, let payload):
        throw await failure("endSession", status, payload)
      }
    }
  }

  public func getSession(id: String, budget: RetryPolicy? = nil) async throws -> Session {
    try await call("getSession", budget) {
      switch try await client.getSession(path: .init(sessionId: id)) {
      case .ok(let ok): return try ok.body.json
      case .notFound:
        throw LMKError.http(operation: "getSession", status: 404, message: "no such session")
      case .undocumented(let status, let payload):
        throw await failure("getSession", status, payload)
      }
    }
  }

  /// Asks the client connected to the session to act (e.g. "interrupt"); 412 = none connected.
  public func sessionAction(id: String, action: String, budget: RetryPolicy? = nil) async throws {
    try await call("sessionAction", budget) {
      switch try await client.sessionAction(
        path: .init(sessionId: id), body: .json(.init(action: action)))
      {
      case .created: return
      case .preconditionFailed:
        throw LMKError.http(
          operation: "sessionAction", status: 412, message: "no client is connected to the session")
      case .undocumented(let status, let payload):
        throw await failure("sessionAction", status, payload)
      }
    }
  }

  // MARK: Account

  public func listChannels(budget: RetryPolicy? = nil) async throws -> [Channel] {
    try await call("listNotificationChannels", budget) {
      switch try await client.listNotificationChannels() {
      case .ok(let ok): return try ok.body.json.channels
      case .undocumented(let status, let payload):
        throw await failure("listNotificationChannels", status, payload)
      }
    }
  }

  /// The app the stored token belongs to: proves the credentials work.
  public func currentApp(budget: RetryPolicy? = nil) async throws -> App {
    try await call("getCurrentApp", budget) {
      switch try await client.getCurrentApp() {
      case .ok(let ok): return try ok.body.json
      case .forbidden:
        throw LMKError.http(
          operation: "getCurrentApp", status: 403, message: "not an authorized app")
      case .undocumented(let status, let payload):
        throw await failure("getCurrentApp", status, payload)
      }
    }
  }

  /// Whether the profile has any token (no network).
  public func hasCredentials() -> Bool { (try? credentials.load().isUsable) ?? false }

  // MARK: Plumbing

  /// Runs one operation with an optional per-call retry budget, unwrapping the generated
  /// client's `ClientError` into `LMKError` (or `CancellationError` when the task was cancelled).
  func call<T: Sendable>(_ operation: String, _ budget: RetryPolicy?, _ body: () async throws -> T)
    async throws -> T
  {
    do {
      return try await RetryMiddleware.$override.withValue(budget) { try await body() }
    } catch {
      if let inner = LMKError.unwrapping(error) { throw inner }
      if let client = error as? ClientError {
        if client.underlyingError is CancellationError { throw CancellationError() }
        throw LMKError.invalidResponse(operation: operation, message: "\(client.underlyingError)")
      }
      throw error
    }
  }

  /// The error for an unexpected status, with the server's `message` when it sent one.
  func failure(_ operation: String, _ status: Int, _ payload: UndocumentedPayload) async -> LMKError
  {
    var message = ""
    if let body = payload.body, let data = try? await Data(collecting: body, upTo: 64 << 10) {
      if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let text = object["message"] as? String
      {
        message = text
      } else {
        message = String(decoding: data.prefix(300), as: UTF8.self)
      }
    }
    message = redactedURL(message.trimmingCharacters(in: .whitespacesAndNewlines))
    return .http(operation: operation, status: status, message: message)
  }

  static func refresh(client: Client, appID: String, refreshToken: String) async throws
    -> TokenGrant
  {
    let output: Operations.refreshHeadlessAuthToken.Output
    do {
      output = try await client.refreshHeadlessAuthToken(
        body: .json(.init(appId: appID, refreshToken: refreshToken)))
    } catch let error as ClientError {
      throw (error.underlyingError as? LMKError)
        ?? LMKError.invalidResponse(
          operation: "refreshHeadlessAuthToken", message: "\(error.underlyingError)")
    }
    switch output {
    case .created(let created):
      let body: Components.Schemas.AccessTokenResponse
      do { body = try created.body.json } catch {
        throw LMKError.invalidResponse(operation: "refreshHeadlessAuthToken", message: "\(error)")
      }
      return TokenGrant(
        accessToken: body.access_token, refreshToken: body.refresh_token, expiresIn: body.expires_in
      )
    case .unauthorized:
      throw LMKError.refreshRejected(status: 401, message: "")
    case .undocumented(let status, _) where (400..<500).contains(status):
      throw LMKError.refreshRejected(status: status, message: "")
    case .undocumented(let status, _):
      throw LMKError.http(operation: "refreshHeadlessAuthToken", status: status, message: "")
    }
  }
}
