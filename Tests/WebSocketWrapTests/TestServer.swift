import Foundation

@testable import WebSocketWrap

/// `Support/ws_server.py` as a subprocess on loopback, with a self-signed
/// certificate (made with the openssl CLI) for its wss listener.
final class TestServer: @unchecked Sendable {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  let directory: URL
  let wsPort: Int
  let wssPort: Int
  let proxyPort: Int
  private let process: Process

  var certificateFile: String { directory.appendingPathComponent("cert.pem").path }
  func ws(_ path: String) -> String { "ws://127.0.0.1:\(wsPort)\(path)" }
  func wss(_ path: String) -> String { "wss://127.0.0.1:\(wssPort)\(path)" }

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "wswrap-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let cert = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    try TestServer.run(
      "/usr/bin/openssl",
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days",
        "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ])
    let portFile = directory.appendingPathComponent("ports.json")
    let python =
      ProcessInfo.processInfo.environment["JUPYTER_LMK_PYTHON"]
      ?? TestServer.packageRoot.appendingPathComponent(".venv/bin/python").path
    process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [
      TestServer.packageRoot.appendingPathComponent("Tests/WebSocketWrapTests/Support/ws_server.py")
        .path, "--port-file", portFile.path, "--cert", cert, "--key", key,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(20)
    var ports: [String: Int]?
    while ports == nil {
      if let data = try? Data(contentsOf: portFile) {
        ports = try JSONSerialization.jsonObject(with: data) as? [String: Int]
      } else if !process.isRunning || Date() > deadline {
        process.terminate()
        throw TestFailure("the test server did not write its ports")
      } else {
        usleep(20_000)
      }
    }
    wsPort = ports?["ws"] ?? 0
    wssPort = ports?["wss"] ?? 0
    proxyPort = ports?["proxy"] ?? 0
  }

  /// Kills the server at once: its sockets close without a WebSocket close frame.
  func killNow() {
    Glibc.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  deinit {
    // SIGKILL: the child inherits the test runner's blocked signals, SIGTERM among them.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try? FileManager.default.removeItem(at: directory)
  }

  private static func run(_ executable: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("\(executable) failed") }
  }
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
