import Foundation

extension LMKService {
  /// Starts a headless login: the user opens the returned `authorizeUrl`.
  public func startLogin(budget: RetryPolicy? = nil) async throws -> LoginSession {
    try await call("createHeadlessAuthSession", budget) {
      switch try await anonymousClient.createHeadlessAuthSession(
        body: .json(.init(appId: configuration.appID, scope: configuration.scope)))
      {
      case .created(let created): return try created.body.json
      case .undocumented(let status, let payload):
        throw await failure("createHeadlessAuthSession", status, payload)
      }
    }
  }

  /// Polls the token endpoint every `interval` until the user approves (412 = not yet,
  /// 410 = someone already took the token) or `timeout` passes, then stores the tokens in
  /// the profile. `tick` receives the time left before each wait (for a countdown).
  public func finishLogin(
    sessionID: String, timeout: Duration = .seconds(300), interval: Duration = .seconds(1),
    tick: @Sendable (Duration) -> Void = { _ in }
  ) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
      let grant: TokenGrant? = try await call("retrieveHeadlessAuthSessionToken", nil) {
        switch try await anonymousClient.retrieveHeadlessAuthSessionToken(
          path: .init(sessionId: sessionID))
        {
        case .ok(let ok):
          let body = try ok.body.json
          return TokenGrant(
            accessToken: body.access_token, refreshToken: body.refresh_token,
            expiresIn: body.expires_in)
        case .preconditionFailed: return nil
        case .gone: throw LMKError.loginAlreadyRetrieved
        case .undocumented(let status, let payload):
          throw await failure("retrieveHeadlessAuthSessionToken", status, payload)
        }
      }
      if let grant {
        let lock = try await credentials.lock(timeout: .seconds(30))
        defer { lock.release() }
        try credentials.save(grant, serverURL: serverURLToRemember())
        await tokens.reset()
        return
      }
      let left = deadline - .now
      guard left > .zero else {
        throw LMKError.loginTimedOut(seconds: Int(timeout.components.seconds))
      }
      tick(left)
      try await Task.sleep(for: min(interval, left))
    }
  }

  /// The server to store with the tokens: the one logged in to, unless that is production
  /// and the profile names none (the file stays as the official client writes it).
  private func serverURLToRemember() throws -> String? {
    let url = serverURL.absoluteString
    if url == LMKConfiguration.defaultServerURL, try credentials.fileServerURL() == nil {
      return nil
    }
    return url
  }

  /// Removes the profile's tokens (other profiles, keys and `server_url` stay). Returns
  /// false, touching no file, when the file holds no token for the profile.
  @discardableResult
  public func logout() async throws -> Bool {
    guard try credentials.fileHasTokens() else { return false }
    let lock = try await credentials.lock(timeout: .seconds(30))
    defer { lock.release() }
    try credentials.removeTokens()
    await tokens.reset()
    return true
  }
}
