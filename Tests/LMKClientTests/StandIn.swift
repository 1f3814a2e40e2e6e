import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import Testing

@testable import LMKClient

/// The local LMK stand-in (`tools/lmk_standin.py`) as a subprocess on a loopback port,
/// with a private temporary directory for the config file and the outbox of one test.
final class StandIn: @unchecked Sendable {
  static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  let directory: URL
  let baseURL: String
  private let process: Process
  private let control: CurlTransport

  var configPath: String { directory.appendingPathComponent("lmk/config").path }
  var outboxPath: String { directory.appendingPathComponent("data/jupyter-lmk/outbox").path }

  private init(directory: URL, port: Int, process: Process, scheme: String) {
    self.directory = directory
    self.process = process
    baseURL = "\(scheme)://127.0.0.1:\(port)"
    control = CurlTransport(logger: Logger(label: "standin-control"))
  }

  static func start(
    accessTokens: [String] = [], refreshTokens: [String] = [], arguments: [String] = [],
    scheme: String = "http"
  ) async throws
    -> StandIn
  {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lmkclient-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let environment = ProcessInfo.processInfo.environment
    let python =
      environment["JUPYTER_LMK_PYTHON"] ?? repoRoot.appendingPathComponent(".venv/bin/python").path
    let portFile = directory.appendingPathComponent("port")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments =
      [
        repoRoot.appendingPathComponent("tools/lmk_standin.py").path, "--port", "0", "--port-file",
        portFile.path,
      ] + arguments
    // Seeded tokens go through the environment: argv is visible to every user.
    var standinEnvironment = environment
    standinEnvironment["LMK_STANDIN_ACCESS_TOKENS"] = accessTokens.joined(separator: ",")
    standinEnvironment["LMK_STANDIN_REFRESH_TOKENS"] = refreshTokens.joined(separator: ",")
    process.environment = standinEnvironment
    let log = directory.appendingPathComponent("standin.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: log)
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text: String
    do {
      text = try await waitFor("the stand-in's port file", timeout: .seconds(20)) {
        try? String(contentsOf: portFile, encoding: .utf8)
      }
    } catch {
      process.terminate()
      throw error
    }
    guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      process.terminate()
      throw StandInError("bad port file: \(text)")
    }
    return StandIn(directory: directory, port: port, process: process, scheme: scheme)
  }

  /// A stand-in that knows `tok-A`, with a config file holding it for an hour.
  static func startLoggedIn() async throws -> StandIn {
    let standIn = try await start(accessTokens: ["tok-A"])
    do {
      try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    } catch {
      standIn.stop()
      throw error
    }
    return standIn
  }

  /// SIGTERM, then SIGKILL after 2 s: Python's threading server joins its handler threads
  /// on close, and idle keep-alive connections of a live client hold those open.
  func stop() {
    process.terminate()
    let deadline = Date().addingTimeInterval(2)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    try? FileManager.default.removeItem(at: directory)
  }

  /// Environment for a service or a sender process using this stand-in and directory.
  func environment(_ extra: [String: String] = [:]) -> [String: String] {
    [
      "HOME": directory.path, "LMK_CONFIG_PATH": configPath, "LMK_SERVER_URL": baseURL,
      "XDG_DATA_HOME": directory.appendingPathComponent("data").path, "PATH": "/usr/bin:/bin",
    ].merging(extra) { $1 }
  }

  /// A service with a quick retry schedule, so fault tests take seconds.
  func service(
    timeouts: HTTPTimeouts = HTTPTimeouts(connect: .seconds(2), total: .seconds(5)),
    retry: RetryPolicy? = nil,
    outboxCapacity: Int = 1000
  ) throws -> LMKService {
    var configuration = LMKConfiguration(environment: environment())
    configuration.timeouts = timeouts
    configuration.outboxCapacity = outboxCapacity
    configuration.retry =
      retry
      ?? RetryPolicy(
        maxAttempts: 4, initialDelay: .milliseconds(50), maxDelay: .milliseconds(200),
        totalBudget: .seconds(15))
    return try LMKService(configuration: configuration, logger: Self.quietLogger)
  }

  /// The failures these tests provoke are expected: their log lines would read as test
  /// failures in the summary. `JUPYTER_LMK_TEST_LOG=1` shows them when debugging.
  static var quietLogger: Logger {
    guard ProcessInfo.processInfo.environment["JUPYTER_LMK_TEST_LOG"] == nil else {
      return Logger(label: "test")
    }
    return Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
  }

  /// Writes the INI config file verbatim (creating its directory).
  func writeConfig(_ text: String, mode: Int = 0o644) throws {
    try FileManager.default.createDirectory(
      atPath: (configPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: configPath)
  }

  func readConfig() throws -> INIDocument {
    INIDocument(text: try String(contentsOfFile: configPath, encoding: .utf8))
  }

  // MARK: Control API

  @discardableResult
  func call(_ method: HTTPRequest.Method, _ path: String, _ body: [String: Any]? = nil) async throws
    -> Any
  {
    var request = HTTPRequest(method: method, scheme: nil, authority: nil, path: path)
    var payload: HTTPBody?
    if let body {
      request.headerFields[.contentType] = "application/json"
      payload = HTTPBody(try JSONSerialization.data(withJSONObject: body))
    }
    guard let base = URL(string: baseURL) else { throw StandInError("bad base URL \(baseURL)") }
    let (response, responseBody) = try await control.send(
      request, body: payload, baseURL: base, operationID: "standin-control")
    let data = try await Data(collecting: responseBody ?? HTTPBody(), upTo: 64 << 20)
    guard (200..<300).contains(response.status.code) else {
      throw StandInError(
        "\(method) \(path): \(response.status.code) \(String(decoding: data, as: UTF8.self))")
    }
    return try JSONSerialization.jsonObject(with: data)
  }

  func requests() async throws -> [[String: Any]] {
    ((try await call(.get, "/_standin/requests")) as? [String: Any])?["requests"]
      as? [[String: Any]] ?? []
  }

  func events() async throws -> [[String: Any]] {
    ((try await call(.get, "/_standin/events")) as? [String: Any])?["events"] as? [[String: Any]]
      ?? []
  }

  func sessions() async throws -> [[String: Any]] {
    ((try await call(.get, "/_standin/sessions")) as? [String: Any])?["sessions"]
      as? [[String: Any]] ?? []
  }

  func fault(
    method: String?, path: String, status: Int? = nil, retryAfter: Int? = nil, delayMs: Int = 0,
    drop: Bool = false,
    count: Int = 1, raw: String? = nil, bodyBytes: Int? = nil, headers: [String: String] = [:]
  ) async throws {
    var body: [String: Any] = [
      "path": path, "delayMs": delayMs, "drop": drop, "count": count, "headers": headers,
    ]
    body["raw"] = raw ?? NSNull()
    body["bodyBytes"] = bodyBytes ?? NSNull()
    body["method"] = method ?? NSNull()
    body["status"] = status ?? NSNull()
    body["retryAfter"] = retryAfter ?? NSNull()
    try await call(.post, "/_standin/faults", body)
  }

  func clearFaults() async throws { try await call(.delete, "/_standin/faults") }

  /// Requests with exactly this method and path, in arrival order.
  func requests(_ method: String, _ path: String) async throws -> [[String: Any]] {
    try await requests().filter {
      $0["method"] as? String == method && $0["path"] as? String == path
    }
  }
}

struct StandInError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Polls `probe` until it yields a value or `timeout` passes (a condition, not a fixed sleep).
func waitFor<T>(_ what: String, timeout: Duration, _ probe: () async throws -> T?) async throws -> T
{
  let deadline = ContinuousClock.now + timeout
  while true {
    if let value = try await probe() { return value }
    guard ContinuousClock.now < deadline else {
      throw StandInError("timed out waiting for \(what)")
    }
    try await Task.sleep(for: .milliseconds(20))
  }
}

/// A config file body for profile `[python]` with the given tokens.
func pythonProfile(access: String, refresh: String?, expiresInSeconds: Double) -> String {
  let expires = Int64((Date().timeIntervalSince1970 + expiresInSeconds) * 1000)
  var text = "[python]\naccess_token = \(access)\naccess_token_expires = \(expires)\n"
  if let refresh { text += "refresh_token = \(refresh)\n" }
  return text
}
