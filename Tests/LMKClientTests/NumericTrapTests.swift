import Foundation
import Testing

@testable import LMKClient

/// Numbers from outside (refresh answers, the INI file, the environment, HTTP headers)
/// never trap: each goes through a checked or clamping conversion (RELIABILITY.md).
@Suite struct NumericTrapTests {
  static let absurdLifetimes: [Double] = [
    1e300, -1e300, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, 9.3e15, -1,
  ]

  func temporaryDirectory() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lmktraps-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.path
  }

  /// Issue 9 item 2: `Int64((now + expiresIn) * 1000)` trapped on 1e300.
  @Test(arguments: absurdLifetimes)
  func savingAGrantWithAnAbsurdLifetimeKeepsASaneExpiry(_ expiresIn: Double) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = CredentialStore(environment: ["LMK_CONFIG_PATH": "\(directory)/config"])
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    try store.save(TokenGrant(accessToken: "a", refreshToken: "r", expiresIn: expiresIn), now: now)
    let loaded = try store.load()
    #expect(loaded.accessToken == "a")
    if let expires = loaded.accessTokenExpires {
      // Never in the past of `now` by more than the lifetime allows, never beyond a year.
      #expect(expires.timeIntervalSince(now) >= 0)
      #expect(expires.timeIntervalSince(now) <= 366 * 86400)
    }
  }

  @Test(arguments: [
    "1e400", "-1e400", "nan", "inf", "-inf", "99999999999999999999999999", "-9223372036854775808",
    "1e19", "0x1p1023", "garbage",
  ])
  func absurdStoredExpiriesLoadWithoutTrapping(_ text: String) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/config"
    try Data("[python]\naccess_token = a\naccess_token_expires = \(text)\n".utf8).write(
      to: URL(fileURLWithPath: path))
    for environment in [
      ["LMK_CONFIG_PATH": path], ["LMK_CONFIG_PATH": path, "LMK_ACCESS_TOKEN_EXPIRES": text],
    ] {
      let loaded = try CredentialStore(environment: environment).load()
      #expect(loaded.accessToken == "a")
      if let expires = loaded.accessTokenExpires {
        #expect(expires.timeIntervalSince1970.isFinite)
      }
    }
  }

  @Test(arguments: [
    "9223372036854775808", "9223372036854775807", "-9223372036854775808", "1e300",
    "18446744073709551616",
    "Fri, 31 Dec 99999999 23:59:59 GMT", "Fri, 31 Dec 999999999 23:59:59 GMT",
    "Mon, 01 Jan 0001 00:00:00 GMT",
  ])
  func absurdRetryAfterValuesParseWithoutTrapping(_ value: String) {
    let parsed = parseRetryAfter(value, now: Date())
    if let parsed {
      #expect(parsed >= .zero)
      #expect(parsed <= .seconds(86400))
    }
  }

  /// A Retry-After of 2^63 on a 503: the policy gives up (or waits a bounded time), no trap.
  @Test func aHugeRetryAfterEndsTheRetriesWithoutTrapping() {
    let policy = RetryPolicy.standard
    let decision = policy.decide(
      .status(503, retryAfter: parseRetryAfter("9223372036854775808", now: Date())), attempt: 1,
      elapsed: .zero, jitter: 0.5)
    if case .retry(let delay) = decision { #expect(delay < policy.totalBudget) }
  }

  /// Issue 9 item 2 end to end: a refresh answer with `expires_in` 1e300 through the real
  /// client (JSON decoding, the token provider, the config file).
  @Test func aRefreshAnswerWithAHugeLifetimeDoesNotTrap() async throws {
    let standIn = try await StandIn.start(
      refreshTokens: ["rt-1"], arguments: ["--token-ttl", "1e300"])
    defer { standIn.stop() }
    try standIn.writeConfig("[python]\nrefresh_token = rt-1\n")
    let service = try standIn.service()
    #expect(try await service.listChannels().count == 3)
    let saved = try standIn.readConfig()
    let expires = try #require(
      saved.value(section: "python", key: "access_token_expires").flatMap { Int64($0) })
    #expect(expires > Int64(Date().timeIntervalSince1970 * 1000))
  }
}
