import Foundation
import OpenAPIRuntime

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

  /// A well-formed answer saying the request will never succeed as it is: a 4xx other
  /// than 401 (refresh), 408 (timeout), 409 (session ended) or 429 (rate limit). Only this
  /// takes an event out of the outbox (into the dead letters); every other failure is
  /// a fault to retry later.
  public var isDefinitiveRejection: Bool {
    switch self {
    case .http(_, let status, _):
      return (400..<500).contains(status) && ![401, 408, 409, 429].contains(status)
    default: return false
    }
  }

  /// A failure the user must fix in their setup (TLS: certificate, CA bundle, proxy);
  /// logged as such, and the event is still kept.
  public var isConfigurationProblem: Bool {
    if case .transport(_, let code, _, _) = self { return CurlTransport.isTLSProblem(code) }
    return false
  }

  /// Whether trying the same request again at once could succeed (the retry schedule).
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

extension LMKError {
  /// The `LMKError` inside an error from the generated client (which wraps what the
  /// transport and middlewares throw in `ClientError`), if there is one.
  static func unwrapping(_ error: any Error) -> LMKError? {
    if let error = error as? LMKError { return error }
    return (error as? ClientError)?.underlyingError as? LMKError
  }
}

/// Makes text that may hold URLs safe to log: the userinfo of every `scheme://user:pass@`
/// becomes `REDACTED@`, and the value of every `token=` parameter becomes `REDACTED`.
func redactedURL(_ text: String) -> String {
  redactingTokens(redactingUserinfo(text))
}

/// `scheme://user:password@host` → `scheme://REDACTED@host`, wherever it occurs in `text`.
/// The authority ends at `/`, `?`, `#`, whitespace or a quote; an `@` after it (an e-mail
/// in a query) is left alone.
private func redactingUserinfo(_ text: String) -> String {
  var result = ""
  var rest = Substring(text)
  while let marker = rest.range(of: "://") {
    result += rest[..<marker.upperBound]
    rest = rest[marker.upperBound...]
    let end =
      rest.firstIndex { "/?#\"'<> \t\r\n".contains($0) } ?? rest.endIndex
    if let at = rest[..<end].lastIndex(of: "@") {
      result += "REDACTED"
      rest = rest[at...]
    }
  }
  return result + rest
}

private func redactingTokens(_ text: String) -> String {
  var result = ""
  var rest = Substring(text)
  while let range = rest.range(of: "token=") {
    result += rest[..<range.upperBound]
    result += "REDACTED"
    rest = rest[range.upperBound...]
    if let end = rest.firstIndex(where: { $0 == "&" || $0 == "#" || $0.isWhitespace }) {
      rest = rest[end...]
    } else {
      rest = ""
    }
  }
  return result + rest
}
