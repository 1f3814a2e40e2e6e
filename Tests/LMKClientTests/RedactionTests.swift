import Foundation
import Logging
import Testing

@testable import LMKClient

/// Issue 9 item 9: a password in `server_url` (`http://user:SECRET@host/`) reaches no log
/// line and no error text; neither does a `token=` value (RELIABILITY.md).
@Suite struct RedactionTests {
  @Test(arguments: [
    ("http://user:SECRET@host/v1/event", "http://REDACTED@host/v1/event"),
    ("https://SECRET@host:8443", "https://REDACTED@host:8443"),
    (
      "GET http://u:SECRET@127.0.0.1:9/x?token=SECRET&a=1 failed",
      "GET http://REDACTED@127.0.0.1:9/x?token=REDACTED&a=1 failed"
    ),
    ("ws://host/v1/session/ws?token=SECRET", "ws://host/v1/session/ws?token=REDACTED"),
    ("http://host/path?mail=a@b", "http://host/path?mail=a@b"),
    ("no url here: user@host", "no url here: user@host"),
  ])
  func urlsLoseTheirUserinfoAndTokens(_ input: String, _ expected: String) {
    #expect(redactedURL(input) == expected)
  }

  @Test func aPasswordInTheServerURLReachesNoLogAndNoError() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    let log = CapturedLog()
    let logger = Logger(label: "test") { _ in CapturingLogHandler(log: log) }
    let withPassword = standIn.baseURL.replacingOccurrences(of: "://", with: "://user:SECRET@")
    var configuration = LMKConfiguration(
      environment: standIn.environment([
        "LMK_SERVER_URL": withPassword, "LMK_ACCESS_TOKEN": "tok-A",
      ]))
    configuration.retry = RetryPolicy(
      maxAttempts: 2, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10),
      totalBudget: .seconds(5))
    let service = try LMKService(configuration: configuration, logger: logger)
    #expect(!service.displayServerURL.contains("SECRET"))
    #expect(try await service.listChannels().count == 3)
    try await standIn.fault(method: "POST", path: "^/v1/event$", status: 503, count: 10)
    if case .queued(let reason) = try await service.postEvent(.init(message: "m")) {
      #expect(!"\(reason)".contains("SECRET"))
    }
    // A server that is not there: curl's own error text.
    configuration.environment["LMK_SERVER_URL"] = "http://user:SECRET@127.0.0.1:9/"
    let unreachable = try LMKService(configuration: configuration, logger: logger)
    do {
      _ = try await unreachable.listChannels()
    } catch {
      #expect(!"\(error)".contains("SECRET"))
    }
    // Not an http(s) URL: the error names it, without the password.
    configuration.environment["LMK_SERVER_URL"] = "ftp://user:SECRET@example.org/"
    #expect {
      _ = try LMKService(configuration: configuration, logger: logger)
    } throws: { !"\($0)".contains("SECRET") }
    #expect(!log.lines.isEmpty)
    #expect(log.lines.allSatisfy { !$0.contains("SECRET") && !$0.contains("tok-A") })
  }
}

/// Every line a `Logger` wrote, for tests that check what reaches the log.
final class CapturedLog: @unchecked Sendable {
  private let lock = NSLock()
  private var captured: [String] = []

  func append(_ line: String) { lock.withLock { captured.append(line) } }
  var lines: [String] { lock.withLock { captured } }
}

struct CapturingLogHandler: LogHandler {
  let log: CapturedLog
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level = .trace

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) { log.append("\(event.level) \(event.message)") }
}

/// The session socket's address: the server's scheme, host, port and path prefix, the
/// token percent-encoded in the query, no userinfo.
@Suite struct SessionSocketURLTests {
  @Test(arguments: [
    ("https://api.lmkapp.dev", "t", "wss://api.lmkapp.dev/v1/session/ws?token=t"),
    ("http://127.0.0.1:8123/", "a+b/c=", "ws://127.0.0.1:8123/v1/session/ws?token=a%2Bb%2Fc%3D"),
    ("https://u:SECRET@h:8443/api/", "t", "wss://h:8443/api/v1/session/ws?token=t"),
    ("http://[::1]:9/x?y=1#f", "t&u", "ws://[::1]:9/x/v1/session/ws?token=t%26u"),
  ])
  func theAddressFollowsTheServer(_ server: String, _ token: String, _ expected: String) throws {
    let url = try #require(URL(string: server))
    #expect(LMKService.sessionSocketURL(server: url, token: token) == expected)
  }
}
