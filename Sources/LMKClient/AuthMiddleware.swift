import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Adds `Authorization: Bearer …` to the operations that need it and, when the server
/// answers 401, refreshes the token once and repeats the request.
struct AuthMiddleware: ClientMiddleware {
  /// Operations the contract marks `security: []`.
  static let anonymousOperations: Set<String> = [
    "createHeadlessAuthSession", "getHeadlessAuthSession", "retrieveHeadlessAuthSessionToken",
    "refreshHeadlessAuthToken", "token",
  ]

  let tokens: TokenProvider

  func intercept(
    _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
    next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
  ) async throws -> (HTTPResponse, HTTPBody?) {
    guard !Self.anonymousOperations.contains(operationID) else {
      return try await next(request, body, baseURL)
    }
    let payload = try await replayable(body)
    var request = request
    let token = try await tokens.token()
    request.headerFields[.authorization] = "Bearer \(token)"
    let first = try await next(request, payload.map { HTTPBody($0) }, baseURL)
    guard first.0.status.code == 401 else { return first }
    let fresh: String
    do {
      fresh = try await tokens.refresh(rejecting: token)
    } catch LMKError.notLoggedIn {
      return first  // nothing to refresh with: report the server's 401
    }
    request.headerFields[.authorization] = "Bearer \(fresh)"
    return try await next(request, payload.map { HTTPBody($0) }, baseURL)
  }
}
