/// Where the LMK server URL in use was set, so a user can tell what to change.
public enum ServerURLSource: Sendable, Equatable {
  /// `LMK_SERVER_URL`.
  case environment
  /// The profile's `server_url` in the credentials file (saved by `login`).
  case profile
  /// Neither: production, `https://api.lmkapp.dev`.
  case builtInDefault
}
