import Foundation
import Testing

@testable import WebSocketWrap

/// Idle RSS of one connection, for the design notes: run with WSWRAP_MEASURE=1
/// and `--filter FootprintProbe` (alone, so nothing earlier has warmed the process).
/// Not a timed test: it prints figures and asserts only that they were taken.
@Suite struct FootprintProbe {
  private struct Sample {
    let total = residentKiB()
    let anonymous = residentKiB("RssAnon")
    let file = residentKiB("RssFile")
    func minus(_ other: Sample) -> String {
      "+\(total - other.total) KiB (anon +\(anonymous - other.anonymous), file +\(file - other.file))"
    }
  }

  @Test(.enabled(if: ProcessInfo.processInfo.environment["WSWRAP_MEASURE"] == "1"))
  func idleResidentSetOfOneConnection() throws {
    let server = try TestServer()
    var clients: [WebSocketClient] = []
    func idle(_ url: String, _ options: WebSocketOptions = WebSocketOptions()) throws -> Sample {
      let recorder = EventRecorder()
      let client = try recorder.connect(url, options)
      try recorder.waitConnected()
      clients.append(client)
      Thread.sleep(forTimeInterval: 3)  // idle: heartbeats only
      return Sample()
    }
    let mode = ProcessInfo.processInfo.environment["WSWRAP_MEASURE_MODE"] ?? "ws"
    if mode != "ws" {
      // The system CA store plus the test certificate, as the LMK socket's store would be.
      let bundle = server.directory.appendingPathComponent("bundle.pem")
      let system = try Data(contentsOf: URL(fileURLWithPath: "/etc/ssl/certs/ca-certificates.crt"))
      try (system + Data(contentsOf: URL(fileURLWithPath: server.certificateFile))).write(
        to: bundle)
      setenv("SSL_CERT_FILE", bundle.path, 1)
    }
    if mode == "warm" {
      // The bridge's case: OpenSSL already in use (libcurl does TLS), stood in for
      // by one wss connection made and closed first.
      _ = try idle(server.wss("/echo"))
      clients.forEach { $0.close() }
      clients.removeAll()
      Thread.sleep(forTimeInterval: 1)
    }
    Thread.sleep(forTimeInterval: 1)
    let baseline = Sample()
    let sample = try mode == "ws" ? idle(server.ws("/echo")) : idle(server.wss("/echo"))
    print(
      "footprint \(mode): baseline \(baseline.total) KiB; idle connection \(sample.minus(baseline))"
    )
    clients.forEach { $0.close() }
    #expect(baseline.total > 0)
  }
}
