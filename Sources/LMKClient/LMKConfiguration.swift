import Foundation

/// Where and how to reach LMK; every value has a default a new user never needs to change.
public struct LMKConfiguration: Sendable {
  /// The official client's public app id, used for headless auth and refresh.
  public static let officialAppID = "10000000-0000-0000-0000-000000000000"
  public static let defaultScope =
    "event.publish event.notify channel.read session.create user.email"
  public static let defaultServerURL = "https://api.lmkapp.dev"

  /// Source of `HOME`, `LMK_*` and `XDG_DATA_HOME` (injectable for tests).
  public var environment: [String: String]
  public var appID: String
  public var scope: String
  public var timeouts: HTTPTimeouts
  /// Default for every request; single calls may pass a shorter `budget`.
  public var retry: RetryPolicy
  public var outboxDirectory: String
  public var outboxCapacity: Int

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
    appID = Self.officialAppID
    scope = Self.defaultScope
    timeouts = HTTPTimeouts()
    retry = .standard
    outboxDirectory = Outbox.defaultDirectory(environment: environment)
    outboxCapacity = 1000
  }
}
