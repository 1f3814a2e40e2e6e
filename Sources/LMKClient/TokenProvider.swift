import Foundation
import Logging

/// Hands out the access token and refreshes it: shortly before the (advisory) stored
/// expiry, and after a 401. One refresh at a time in this process (concurrent callers
/// share it) and, through the config file's lock plus a re-read, across processes.
actor TokenProvider {
  typealias Refresher = @Sendable (_ refreshToken: String) async throws -> TokenGrant

  private let store: CredentialStore
  private let refresher: Refresher
  private let logger: Logger
  private let refreshMargin: Duration
  private var current: StoredCredentials?
  private var refreshing: Task<String, any Error>?

  init(
    store: CredentialStore, refreshMargin: Duration = .seconds(60), logger: Logger,
    refresher: @escaping Refresher
  ) {
    self.store = store
    self.refresher = refresher
    self.logger = logger
    self.refreshMargin = refreshMargin
  }

  /// A token to send now, refreshed first when the stored expiry says it is about to lapse.
  func token() async throws -> String {
    // Without usable cached tokens the file is read again: `jupyter lmk login` in another
    // terminal takes effect without restarting the bridge.
    let credentials = try current.flatMap { $0.isUsable ? $0 : nil } ?? store.load()
    current = credentials
    if let access = credentials.accessToken, !expiresSoon(credentials) { return access }
    guard credentials.refreshToken != nil else {
      if let access = credentials.accessToken { return access }
      throw LMKError.notLoggedIn(profile: store.profile, configPath: store.path)
    }
    return try await refresh(rejecting: credentials.accessToken)
  }

  /// A token other than `rejected` (the one the server just refused or that is expiring).
  func refresh(rejecting rejected: String?) async throws -> String {
    if let task = refreshing { return try await task.value }
    if let access = current?.accessToken, access != rejected, let credentials = current,
      !expiresSoon(credentials)
    {
      return access
    }
    let task = Task { try await self.performRefresh(rejecting: rejected) }
    refreshing = task
    defer { refreshing = nil }
    return try await task.value
  }

  /// Forgets cached credentials (after login or logout in this process).
  func reset() { current = nil }

  private func performRefresh(rejecting rejected: String?) async throws -> String {
    let lock = try await store.lock(timeout: .seconds(120))
    defer { lock.release() }
    let latest = try store.load()
    if let access = latest.accessToken, access != rejected, !expiresSoon(latest) {
      logger.debug("LMK access token was refreshed by another process")
      current = latest
      return access
    }
    guard let refreshToken = latest.refreshToken else {
      throw LMKError.notLoggedIn(profile: store.profile, configPath: store.path)
    }
    let now = Date()
    let grant = try await refresher(refreshToken)
    try store.save(grant, now: now)
    logger.info("LMK access token refreshed (profile [\(store.profile)])")
    current = StoredCredentials(
      accessToken: grant.accessToken, refreshToken: grant.refreshToken ?? refreshToken,
      accessTokenExpires: saneLifetime(grant.expiresIn).map { now.addingTimeInterval($0) },
      serverURL: latest.serverURL)
    return grant.accessToken
  }

  private func expiresSoon(_ credentials: StoredCredentials) -> Bool {
    guard let expires = credentials.accessTokenExpires else { return false }
    let margin = Double(refreshMargin.components.seconds)
    return expires.timeIntervalSinceNow < margin
  }
}
