import Foundation

/// Everything the LMK client can fail with, phrased for a person reading one line on
/// stderr. No case ever carries a token or a URL with a `?token=` query.
public enum LMKError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No access or refresh token is configured for the profile.
  case notLoggedIn(profile: String, configPath: String)
  /// The server answered with an error status; `message` is the server's own text.
  case http(operation: String, status: Int, message: String)
  /// The request never produced an HTTP response (connect failure, timeout, reset).
  case transport(operation: String, code: Int, message: String, retryable: Bool)
  /// A PATCH hit a session the user ended in the app (409): stop updating it.
  case sessionEnded(sessionID: String)
  /// The refresh token was rejected; the user has to log in again.
  case refreshRejected(status: Int, message: String)
  /// Headless login: the token of this auth session was already taken (410).
  case loginAlreadyRetrieved
  /// Headless login: the user did not approve before the deadline.
  case loginTimedOut(seconds: Int)
  /// The credentials or outbox file could not be read or written.
  case file(path: String, message: String)
  /// The server answered 2xx with something the contract does not describe.
  case invalidResponse(operation: String, message: String)

  public var description: String {
    switch self {
    case .notLoggedIn(let profile, let path):
      return
        "not logged in to LMK (no token for profile [\(profile)] in \(path)); run `jupyter lmk login`"
    case .http(let operation, let status, let message):
      return "LMK \(operation) failed: HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
    case .transport(let operation, _, let message, _):
      return "LMK \(operation) failed: \(message)"
    case .sessionEnded(let id):
      return "LMK session \(id) was ended in the app"
    case .refreshRejected(let status, let message):
      return
        "LMK refused the stored refresh token (HTTP \(status)\(message.isEmpty ? "" : ": \(message)")); run `jupyter lmk login`"
    case .loginAlreadyRetrieved:
      return
        "the token of this login session was already retrieved (HTTP 410); start `jupyter lmk login` again"
    case .loginTimedOut(let seconds):
      return "login was not approved within \(seconds) s; run `jupyter lmk login` again"
    case .file(let path, let message):
      return "\(path): \(message)"
    case .invalidResponse(let operation, let message):
      return "LMK \(operation): unexpected response: \(message)"
    }
  }

  /// Whether trying the same request later could succeed (the outbox keeps such events).
  public var isTransient: Bool {
    switch self {
    case .transport(_, _, _, let retryable): return retryable
    case .http(_, let status, _):
      return status >= 500 || status == 408 || status == 429 || status == 401
    case .notLoggedIn, .refreshRejected: return true
    default: return false
    }
  }
}

/// Replaces the value of any `token=` query parameter so URLs can be logged.
func redactedURL(_ text: String) -> String {
  var result = ""
  var rest = Substring(text)
  while let range = rest.range(of: "token=") {
    result += rest[..<range.upperBound]
    result += "REDACTED"
    rest = rest[range.upperBound...]
    if let end = rest.firstIndex(where: { $0 == "&" || $0 == "#" }) {
      rest = rest[end...]
    } else {
      rest = ""
    }
  }
  return result + rest
}
