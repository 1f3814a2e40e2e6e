import LMKClient

/// What the session socket needs of LMK: `LMKService` in the bridge.
package protocol SessionSocketBackend: Sendable {
  /// The socket's address with a token fetched now; after a 401, one other than `rejected`.
  func sessionSocketAddress(rejecting rejected: String?) async throws -> SessionSocketAddress
  /// The session's `notifyOn` and `notifyChannel` as the service holds them now.
  func remoteSettings(sessionId: String, budget: RetryPolicy?) async throws
    -> RemoteSessionSettings
}

extension LMKService: SessionSocketBackend {}
