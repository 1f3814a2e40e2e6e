import Foundation
import Testing

@testable import LMKClient

/// Login, refresh and the shared `~/.lmk/config` file, against the stand-in.
@Suite struct CredentialTests {
  /// What the official client and other profiles leave in the file; it must survive our writes.
  static let neighbours = """
    # hand-written note
    [default]
    server_url = https://example.test

    [other]
    access_token = other-token

    """

  func fileMode(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
  }

  func bearer(_ request: [String: Any]) -> String? {
    ((request["headers"] as? [String: Any])?["authorization"] as? String).map {
      String($0.dropFirst("Bearer ".count))
    }
  }

  @Test func headlessLoginStoresTokensThenWhoamiWorks() async throws {
    let standIn = try await StandIn.start()
    defer { standIn.stop() }
    try standIn.writeConfig(Self.neighbours, mode: 0o644)
    let service = try standIn.service()
    let login = try await service.startLogin()
    #expect(login.authorizeUrl.contains(login.sessionId))
    let ticks = Counter()
    async let finished: Void = service.finishLogin(
      sessionID: login.sessionId, timeout: .seconds(20), interval: .milliseconds(100)
    ) { _ in ticks.increment() }
    let tokenPath = "/v1/headlessAuth/\(login.sessionId)/token"
    _ = try await waitFor("a pending token poll", timeout: .seconds(10)) {
      try await standIn.requests("GET", tokenPath).contains { $0["status"] as? Int == 412 }
        ? true : nil
    }
    try await standIn.call(.post, "/_standin/headless/\(login.sessionId)/approve")
    try await finished
    #expect(ticks.value >= 1)

    let config = try standIn.readConfig()
    let access = try #require(config.value(section: "python", key: "access_token"))
    #expect(config.value(section: "python", key: "refresh_token") != nil)
    let expires = try #require(
      config.value(section: "python", key: "access_token_expires").flatMap(Double.init))
    #expect(abs(expires / 1000 - Date().timeIntervalSince1970 - 3600) < 60)
    #expect(config.value(section: "other", key: "access_token") == "other-token")
    #expect(config.value(section: "default", key: "server_url") == "https://example.test")
    #expect(
      try String(contentsOfFile: standIn.configPath, encoding: .utf8).hasPrefix(
        "# hand-written note\n"))
    #expect(try fileMode(standIn.configPath) == 0o600)

    _ = try await service.currentApp()
    #expect(try await standIn.requests("GET", "/v1/app/current").map(bearer) == [access])

    // The token of an approved session can be taken once: a second poll gets 410.
    await #expect(throws: LMKError.loginAlreadyRetrieved) {
      try await service.finishLogin(
        sessionID: login.sessionId, timeout: .seconds(5), interval: .milliseconds(50))
    }

    try await service.logout()
    let after = try standIn.readConfig()
    #expect(after.value(section: "python", key: "access_token") == nil)
    #expect(after.value(section: "python", key: "refresh_token") == nil)
    #expect(after.value(section: "other", key: "access_token") == "other-token")
    #expect(!service.hasCredentials())
  }

  @Test func loginTimesOutWhenNobodyApproves() async throws {
    let standIn = try await StandIn.start()
    defer { standIn.stop() }
    let service = try standIn.service()
    let login = try await service.startLogin()
    await #expect(throws: LMKError.loginTimedOut(seconds: 1)) {
      try await service.finishLogin(
        sessionID: login.sessionId, timeout: .seconds(1), interval: .milliseconds(100))
    }
  }

  @Test func refreshesBeforeTheStoredExpiryAndSavesTheRotatedToken() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-old"], refreshTokens: ["ref-1"])
    defer { standIn.stop() }
    try standIn.writeConfig(
      Self.neighbours + pythonProfile(access: "tok-old", refresh: "ref-1", expiresInSeconds: -10),
      mode: 0o644)
    let service = try standIn.service()
    _ = try await service.listChannels()

    let config = try standIn.readConfig()
    let access = try #require(config.value(section: "python", key: "access_token"))
    let refresh = try #require(config.value(section: "python", key: "refresh_token"))
    #expect(access != "tok-old")
    #expect(refresh != "ref-1")
    #expect(config.value(section: "other", key: "access_token") == "other-token")
    #expect(try fileMode(standIn.configPath) == 0o600)
    let requests = try await standIn.requests()
    #expect(
      requests.map { $0["path"] as? String } == [
        "/v1/headlessAuth/refresh", "/v1/notificationChannel",
      ])
    #expect(bearer(requests[1]) == access)
    #expect(requests.allSatisfy { $0["valid"] as? Bool == true })
  }

  @Test func refreshesOnceAfterA401() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"], refreshTokens: ["ref-1"])
    defer { standIn.stop() }
    try standIn.writeConfig(
      pythonProfile(access: "tok-A", refresh: "ref-1", expiresInSeconds: 3600))
    let service = try standIn.service()
    _ = try await service.listChannels()
    try await standIn.call(.post, "/_standin/tokens/expire", ["token": "tok-A"])
    _ = try await service.listChannels()

    let requests = try await standIn.requests()
    #expect(
      requests.map { "\($0["path"] ?? "") \($0["status"] ?? "")" } == [
        "/v1/notificationChannel 200", "/v1/notificationChannel 401",
        "/v1/headlessAuth/refresh 201",
        "/v1/notificationChannel 200",
      ])
    let stored = try standIn.readConfig().value(section: "python", key: "access_token")
    #expect(bearer(requests[3]) == stored)
    #expect(stored != "tok-A")
  }

  @Test func aRejectedRefreshTokenAsksForLogin() async throws {
    let standIn = try await StandIn.start()
    defer { standIn.stop() }
    try standIn.writeConfig(
      pythonProfile(access: "gone", refresh: "revoked", expiresInSeconds: -10))
    let service = try standIn.service()
    await #expect(throws: LMKError.refreshRejected(status: 401, message: "")) {
      _ = try await service.listChannels()
    }
  }

  @Test func twoProcessesSharingARefreshTokenRefreshOnce() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-old"], refreshTokens: ["ref-1"])
    defer { standIn.stop() }
    try standIn.writeConfig(
      pythonProfile(access: "tok-old", refresh: "ref-1", expiresInSeconds: -10))
    let senders = try (0..<2).map { _ in try SenderProcess(standIn: standIn, arguments: ["whoami"])
    }
    for sender in senders {
      #expect(try await sender.finish() == 0)
      #expect(sender.output.hasPrefix("app "), "sender printed: \(sender.output)")
    }
    #expect(try await standIn.requests("POST", "/v1/headlessAuth/refresh").count == 1)
    #expect(
      try await standIn.requests("GET", "/v1/app/current").map { $0["status"] as? Int } == [
        200, 200,
      ])
  }
}

/// A thread-safe tally for callbacks.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  func increment() { lock.withLock { count += 1 } }
  var value: Int { lock.withLock { count } }
}
