import Foundation
import FuzzSupport
import HTTPTypes
import Logging
import OpenAPIRuntime

@testable import LMKClient

/// What the LMK client parses from outside: HTTP responses (through the
/// generated client, the retry middleware and the token refresh, then the
/// grant stored in `~/.lmk/config`) and the INI credentials file.
///
/// Input: a selector byte, then the payload.
/// - selector % 4 == 0: a refresh answer; 1: the answer to another operation;
///   bits 2–4 pick the status and content type, bits 5–7 the operation.
///   The payload is header lines (`Name: value`, e.g. `Retry-After`), 0x1E,
///   then the body.
/// - 2: an INI file: read, edited and written back as `CredentialStore` does.
/// - 3: header values: `Retry-After` and URL redaction.
enum LMKHarness {
  /// Where the credentials file lives: in memory when possible (its writes are fsynced).
  static let folder: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : NSTemporaryDirectory()
    let path = base + "jupyter-lmk-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: LMKHarness.folder) }
    return path
  }()
  static let environment = [
    "HOME": folder, "LMK_CONFIG_PATH": folder + "/config", "XDG_DATA_HOME": folder + "/data",
    "LMK_SERVER_URL": "http://127.0.0.1:9",
  ]
  static let store = CredentialStore(environment: environment)
  static let service = try? LMKService(
    configuration: LMKConfiguration(environment: environment),
    logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
  static let statuses = [201, 200, 201, 429, 503, 401, 400, 302]
  static let contentTypes = ["application/json", "application/json; charset=utf-8", "text/plain"]
  static let now = Date(timeIntervalSince1970: 1_780_000_000)

  static func run(_ input: [UInt8]) {
    guard let selector = input.first else { return }
    let payload = input.dropFirst()
    switch selector % 4 {
    case 0, 1: response(selector: selector, payload)
    case 2: ini(String(decoding: payload, as: UTF8.self))
    default: headerValues(String(decoding: payload, as: UTF8.self))
    }
  }

  /// One canned HTTP answer through the client stack.
  static func response(selector: UInt8, _ payload: ArraySlice<UInt8>) {
    let pieces = payload.split(
      separator: FuzzInput.recordSeparator, maxSplits: 1, omittingEmptySubsequences: false)
    let body = Array(pieces.last ?? [])
    var fields = HTTPFields()
    fields[.contentType] = contentTypes[Int(selector >> 2) % contentTypes.count]
    if pieces.count > 1 { fields.append(contentsOf: headerFields(pieces[0])) }
    let transport = CannedTransport(
      status: statuses[Int(selector >> 2) & 7], fields: fields, body: body)
    let retry = RetryMiddleware(
      policy: RetryPolicy(
        maxAttempts: 2, initialDelay: .zero, maxDelay: .zero, totalBudget: .milliseconds(5)),
      logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
    let client = Client(
      serverURL: URL(string: "http://127.0.0.1:9")!, transport: transport, middlewares: [retry])
    if selector % 4 == 0 {
      refresh(client)
    } else {
      OtherOperations.call(Int(selector >> 5), client: client, service: service)
    }
  }

  /// The refresh as `TokenProvider` performs it: ask, store, read back.
  static func refresh(_ client: Client) {
    guard
      let grant = Blocking.run({
        try await LMKService.refresh(
          client: client, appID: LMKConfiguration.officialAppID, refreshToken: "refresh")
      })
    else { return }
    try? store.save(grant, now: now)
    _ = try? store.load()
  }

  /// Header lines as `ResponseSink` turns curl's lines into fields.
  static func headerFields(_ bytes: ArraySlice<UInt8>) -> [HTTPField] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
      guard let colon = line.firstIndex(of: ":"),
        let name = HTTPField.Name(String(line[..<colon]).trimmingCharacters(in: .whitespaces))
      else { return nil }
      return HTTPField(
        name: name,
        value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines))
    }
  }

  /// The credentials file: parsed, queried, edited, written back and read again.
  static func ini(_ text: String) {
    var document = INIDocument(text: text)
    let profile = document.value(section: "python", key: "server_url") ?? "python"
    document.set(section: profile, key: "access_token", value: "fuzz")
    document.remove(section: "python", key: "refresh_token")
    _ = INIDocument(text: document.text).value(section: profile, key: "access_token")
    guard FileManager.default.createFile(atPath: store.path, contents: Data(text.utf8)) else {
      return
    }
    _ = try? store.load()
    try? store.save(TokenGrant(accessToken: "a", refreshToken: "r", expiresIn: 3600), now: now)
  }

  static func headerValues(_ text: String) {
    _ = parseRetryAfter(text, now: now)
    _ = redactedURL(text)
  }
}
