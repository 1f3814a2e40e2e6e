import Foundation
import OutsideFiles

/// The tokens of one profile, after environment overrides.
public struct StoredCredentials: Sendable, Equatable {
  public var accessToken: String?
  public var refreshToken: String?
  /// Advisory: the official client writes it shifted by the machine's UTC offset.
  public var accessTokenExpires: Date?
  public var serverURL: String?

  public init(
    accessToken: String? = nil, refreshToken: String? = nil, accessTokenExpires: Date? = nil,
    serverURL: String? = nil
  ) {
    self.accessToken = accessToken
    self.refreshToken = refreshToken
    self.accessTokenExpires = accessTokenExpires
    self.serverURL = serverURL
  }

  /// Whether a request could be authenticated at all (directly or after a refresh).
  public var isUsable: Bool { accessToken != nil || refreshToken != nil }
}

/// Tokens granted by login or refresh.
public struct TokenGrant: Sendable, Equatable {
  public var accessToken: String
  public var refreshToken: String?
  public var expiresIn: Double

  public init(accessToken: String, refreshToken: String?, expiresIn: Double) {
    self.accessToken = accessToken
    self.refreshToken = refreshToken
    self.expiresIn = expiresIn
  }
}

/// `~/.lmk/config`, shared with the official `lmk` client: one INI section per profile.
/// Writes keep every other section and key, go through a temporary file and a rename, and
/// leave the file at mode 0600. A sidecar `<config>.lock` serialises refreshes across processes.
public struct CredentialStore: Sendable {
  public let path: String
  public let profile: String
  private let environment: [String: String]

  public init(environment: [String: String]) {
    self.environment = environment
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    path = environment["LMK_CONFIG_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.lmk/config"
    profile = environment["LMK_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "python"
  }

  var lockPath: String { path + ".lock" }

  /// The profile's credentials: the file's keys, each replaced by its `LMK_*` variable when set.
  public func load() throws -> StoredCredentials {
    let document = try readDocument()
    func pick(_ variable: String, _ key: String) -> String? {
      if let value = environment[variable], !value.isEmpty { return value }
      return document.value(section: profile, key: key).flatMap { $0.isEmpty ? nil : $0 }
    }
    return StoredCredentials(
      accessToken: pick("LMK_ACCESS_TOKEN", "access_token"),
      refreshToken: pick("LMK_REFRESH_TOKEN", "refresh_token"),
      accessTokenExpires: pick("LMK_ACCESS_TOKEN_EXPIRES", "access_token_expires").flatMap(
        Self.expiry),
      serverURL: pick("LMK_SERVER_URL", "server_url"))
  }

  /// Whether the file itself holds a token for the profile (the `LMK_*` variables aside).
  public func fileHasTokens() throws -> Bool {
    let document = try readDocument()
    return ["access_token", "refresh_token"].contains {
      !(document.value(section: profile, key: $0) ?? "").isEmpty
    }
  }

  /// The profile's `server_url` as the file has it (the variable aside).
  public func fileServerURL() throws -> String? {
    try readDocument().value(section: profile, key: "server_url").flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Stores a grant (a rotated refresh token included) received at `now`; with `serverURL`,
  /// also the server it came from (`server_url`, as the official client keeps it), so later
  /// commands reach the same server without `LMK_SERVER_URL`.
  public func save(_ grant: TokenGrant, serverURL: String? = nil, now: Date = Date()) throws {
    try edit { document in
      if let serverURL { document.set(section: profile, key: "server_url", value: serverURL) }
      document.set(section: profile, key: "access_token", value: grant.accessToken)
      if let refresh = grant.refreshToken {
        document.set(section: profile, key: "refresh_token", value: refresh)
      }
      // An absurd `expires_in` (1e300, negative, NaN) is not stored: the expiry is
      // advisory anyway, and 401 → refresh covers a token without one.
      if let lifetime = saneLifetime(grant.expiresIn),
        let expires = Int64(clampingSeconds: now.timeIntervalSince1970 + lifetime, scale: 1000)
      {
        document.set(section: profile, key: "access_token_expires", value: String(expires))
      } else {
        document.remove(section: profile, key: "access_token_expires")
      }
    }
  }

  /// Removes the profile's tokens; other keys (server_url) and profiles stay.
  public func removeTokens() throws {
    try edit { document in
      for key in ["access_token", "refresh_token", "access_token_expires"] {
        document.remove(section: profile, key: key)
      }
    }
  }

  /// Holds the cross-process refresh lock (callers re-read the file after taking it).
  func lock(timeout: Duration) async throws -> FileLock {
    try makeDirectory((path as NSString).deletingLastPathComponent, mode: 0o700)
    return try await FileLock.acquire(path: lockPath, timeout: timeout)
  }

  private func edit(_ change: (inout INIDocument) -> Void) throws {
    var document = try readDocument()
    change(&document)
    // A symlinked config (dotfile managers) keeps its link: the file it points to is replaced.
    let target = (path as NSString).resolvingSymlinksInPath
    try makeDirectory((target as NSString).deletingLastPathComponent, mode: 0o700)
    try writeAtomically(Data(document.text.utf8), to: target, mode: 0o600)
  }

  /// The credentials file holds a few tokens: anything beyond this is not one.
  static let sizeLimit = 1 << 20

  /// `access_token_expires` (epoch milliseconds) as a date; nil unless a finite number
  /// within ±10 000 years of 1970 (a value from the file or the environment never traps).
  static func expiry(_ text: String) -> Date? {
    guard let milliseconds = Double(text.trimmingCharacters(in: .whitespaces)),
      milliseconds.isFinite, abs(milliseconds) < 3e17
    else { return nil }
    return Date(timeIntervalSince1970: milliseconds / 1000)
  }

  private func readDocument() throws -> INIDocument {
    let data: Data
    do {
      data = try BoundedFileRead.contents(ofRegularFile: path, limit: Self.sizeLimit)
    } catch let failure as BoundedFileRead.Failure {
      if failure.reason == .missing { return INIDocument(text: "") }
      throw LMKError.file(
        path: path, message: "cannot read the LMK credentials file: \(failure.problem)")
    }
    return INIDocument(text: String(decoding: data, as: UTF8.self))
  }
}
