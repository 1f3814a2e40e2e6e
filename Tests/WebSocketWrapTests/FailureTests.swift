import Foundation
import Testing

@testable import WebSocketWrap

@Suite struct FailureTests {
  private func failure(_ event: WebSocketEvent) -> WebSocketError? {
    if case .failed(let error) = event { error } else { nil }
  }

  @Test func refusedUpgradesReportTheirStatus() throws {
    let server = try TestServer()
    for status in [401, 404, 503] {
      let recorder = EventRecorder()
      let client = try recorder.connect(server.ws("/status/\(status)"))
      let error = try #require(failure(try recorder.terminal()))
      #expect(error.kind == .upgradeRefused(status: status))
      #expect(error.httpStatus == status)
      #expect(!recorder.events.contains(.connected))
      _ = client
    }
  }

  @Test func closedPortFailsFastWithAConnectError() throws {
    let port = try closedPort()
    let recorder = EventRecorder()
    let start = ContinuousClock.now
    let client = try recorder.connect("ws://127.0.0.1:\(port)/echo")
    let error = try #require(failure(try recorder.terminal()))
    #expect(ContinuousClock.now - start < .seconds(2))
    #expect(error.kind == .connect)
    #expect(error.description.contains("could not connect"))
    _ = client
  }

  @Test func peerThatStopsAnsweringPingsIsNoticed() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    var options = WebSocketOptions()
    options.heartbeat = .init(pingAfterSeconds: 1, hangUpAfterSeconds: 3)
    let client = try recorder.connect(server.ws("/mute"), options)
    let connected = try recorder.wait(for: "connected") { $0 == .connected }
    let lost = try recorder.wait(for: "the heartbeat timeout", timeout: .seconds(8)) {
      $0.isTerminal
    }
    let error = try #require(failure(try recorder.terminal()))
    #expect(error.kind == .heartbeatTimeout)
    #expect(lost - connected < .seconds(4))
    #expect(lost - connected > .milliseconds(2500))
    _ = client
  }

  @Test func serverDyingWithoutACloseFrameIsConnectionLost() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    let client = try recorder.connect(server.ws("/echo"))
    try recorder.waitConnected()
    server.killNow()
    let error = try #require(failure(try recorder.terminal(timeout: .seconds(3))))
    #expect(error.kind == .connectionLost)
    _ = client
  }

  @Test func selfSignedCertificateIsRejectedByDefault() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    let client = try recorder.connect(server.wss("/echo"))
    let error = try #require(failure(try recorder.terminal()))
    #expect(error.kind == .tls)
    #expect(error.detail == "certificate rejected: self-signed certificate")
    _ = client
  }

  @Test func certificateTrustedExplicitlyIsAccepted() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    var options = WebSocketOptions()
    options.trustedCertificatesFile = server.certificateFile
    let client = try recorder.connect(server.wss("/echo"), options)
    try recorder.waitConnected()
    try client.send(text: "secure")
    try recorder.wait(for: "the echo") { $0 == .text("secure") }
    client.close()
    _ = try recorder.terminal()
  }

  @Test func tokenInTheURLNeverAppearsInDescriptions() throws {
    let server = try TestServer()
    let token = "s3cr3t-T0KEN-value"
    let urls = [
      server.ws("/status/401?token=\(token)"), server.ws("/status/404?a=1&token=\(token)"),
      "ws://127.0.0.1:\(try closedPort())/v1/session/ws?token=\(token)",
      server.wss("/echo?token=\(token)"),
    ]
    for url in urls {
      let recorder = EventRecorder()
      let client = try recorder.connect(url)
      let error = try #require(failure(try recorder.terminal()))
      #expect(!error.description.contains(token))
      #expect(!"\(error)".contains(token))
      #expect(error.description.contains("token=<redacted>"))
      #expect(!client.redactedURL.contains(token))
    }
    // Errors thrown at once, for a bad URL or bad options, too.
    for url in ["http://host/?token=\(token)", "ws://host:99999999999999999999/?token=\(token)"] {
      let error = try #require(throws: WebSocketError.self) {
        try WebSocketClient(url: url) { _ in }
      }
      #expect(!error.description.contains(token))
    }
  }
}
