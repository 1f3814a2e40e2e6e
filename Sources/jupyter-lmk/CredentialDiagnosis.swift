import LMKClient

/// Why the stored credentials could not be checked, told apart by the one action that
/// helps: the server did not answer (logging in again cannot help), it refused the token
/// (log in again, or fix `LMK_ACCESS_TOKEN`), there is no token, or the server failed.
struct CredentialDiagnosis: Error, CustomStringConvertible {
  enum Kind: Equatable { case unreachable, rejected, notLoggedIn, serverProblem }

  let kind: Kind
  /// What is wrong, without the action.
  let problem: String
  /// The one thing to do about it.
  let action: String

  var description: String { "\(problem) — \(action)" }

  init(_ error: any Error, service: LMKService, environment: [String: String]) {
    let credentials = "\(service.credentials.path) [\(service.credentials.profile)]"
    switch error as? LMKError {
    case .notLoggedIn?:
      kind = .notLoggedIn
      problem = "not logged in (no token in \(credentials))"
      action = "run `jupyter lmk login`"
    case .transport(_, _, let message, _)?:
      kind = .unreachable
      problem = "LMK server \(service.displayServerURL) unreachable: \(message)"
      switch service.serverURLSource {
      case .environment: action = "check the network, or LMK_SERVER_URL"
      case .profile:
        action =
          "check the network, or the server_url saved in \(credentials) (log in with LMK_SERVER_URL set to change it)"
      case .builtInDefault: action = "check the network (and https_proxy, if you need a proxy)"
      }
    case .http(_, let status, let message)? where status == 401 || status == 403:
      kind = .rejected
      problem = "token rejected by LMK (HTTP \(status)\(message.isEmpty ? "" : ": \(message)"))"
      action = Self.loginAction(environment)
    case .refreshRejected(let status, let message)?:
      kind = .rejected
      problem =
        "refresh token rejected by LMK (HTTP \(status)\(message.isEmpty ? "" : ": \(message)"))"
      action = Self.loginAction(environment)
    default:
      kind = .serverProblem
      problem = "\(error)"
      action = "try again later (LMK or the server at \(service.displayServerURL) failed)"
    }
  }

  /// Tokens from the environment win over the file, so a new login would not be used.
  private static func loginAction(_ environment: [String: String]) -> String {
    let set = ["LMK_ACCESS_TOKEN", "LMK_REFRESH_TOKEN"].filter { !(environment[$0] ?? "").isEmpty }
    guard set.isEmpty else {
      return "\(set.joined(separator: " and ")) set in the environment: replace or unset it"
    }
    return "run `jupyter lmk login`"
  }
}
