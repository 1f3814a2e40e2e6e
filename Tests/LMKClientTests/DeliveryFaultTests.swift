import Foundation
import Testing

@testable import LMKClient

/// Issue 9 item 7: an event leaves the outbox only after a 2xx; only a definitive
/// rejection (a well-formed 4xx other than 401/408/409/429) moves it to the dead-letter
/// folder; every other failure keeps it for a later attempt (RELIABILITY.md).
@Suite(.serialized) struct DeliveryFaultTests {
  static let quick = RetryPolicy(
    maxAttempts: 2, initialDelay: .milliseconds(20), maxDelay: .milliseconds(50),
    totalBudget: .seconds(4))

  func withService(_ body: (StandIn, LMKService) async throws -> Void) async throws {
    let standIn = try await StandIn.startLoggedIn()
    defer { standIn.stop() }
    try await body(standIn, try standIn.service(retry: Self.quick))
  }

  /// Posts one event under the fault, expects it kept, then delivers it once the fault is gone.
  func expectKept(_ standIn: StandIn, _ service: LMKService, _ what: String) async throws {
    let delivery = try await service.postEvent(.init(message: what))
    guard case .queued = delivery else {
      Issue.record("\(what): expected the event to stay queued, got \(delivery)")
      return
    }
    #expect(service.outbox.pending().count == 1, "\(what)")
    #expect(service.outbox.deadLetters().isEmpty, "\(what)")
    try await standIn.clearFaults()
    #expect(
      await service.deliverPending()
        == LMKService.OutboxReport(delivered: 1, remaining: 0, rejected: 0), "\(what)")
    #expect(try await standIn.events().compactMap { $0["message"] as? String } == [what])
  }

  @Test func aGarbageHTTP09ReplyKeepsTheEvent() async throws {
    try await withService { standIn, service in
      try await standIn.fault(
        method: "POST", path: "^/v1/event$", count: 10, raw: "hello, I am not HTTP\r\n\r\n")
      try await expectKept(standIn, service, "garbage")
    }
  }

  @Test func an500WithA100MBBodyKeepsTheEvent() async throws {
    try await withService { standIn, service in
      try await standIn.fault(
        method: "POST", path: "^/v1/event$", status: 500, count: 10, bodyBytes: 100 << 20)
      try await expectKept(standIn, service, "oversized")
    }
  }

  @Test func a409And401And408And429KeepTheEvent() async throws {
    for status in [409, 401, 408, 429] {
      try await withService { standIn, service in
        try await standIn.fault(method: "POST", path: "^/v1/event$", status: status, count: 10)
        try await expectKept(standIn, service, "status \(status)")
      }
    }
  }

  @Test(arguments: [302, 307, 301, 308])
  func aRedirectIsNotFollowedAndKeepsTheEvent(_ status: Int) async throws {
    let elsewhere = try await StandIn.start(accessTokens: ["tok-A"])
    defer { elsewhere.stop() }
    try await withService { standIn, service in
      try await standIn.fault(
        method: "POST", path: "^/v1/event$", status: status, count: 10,
        headers: ["Location": "\(elsewhere.baseURL)/v1/event"])
      try await expectKept(standIn, service, "redirect \(status)")
    }
    // The other origin never saw a request, so it never saw the token.
    #expect(try await elsewhere.requests().isEmpty)
  }

  @Test func aSelfSignedCertificateKeepsTheEvent() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lmktls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let cert = directory.appendingPathComponent("cert.pem").path
    let key = directory.appendingPathComponent("key.pem").path
    let openssl = Process()
    openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    openssl.arguments = [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
      "-subj", "/CN=127.0.0.1",
    ]
    openssl.standardError = FileHandle.nullDevice
    openssl.standardOutput = FileHandle.nullDevice
    try openssl.run()
    openssl.waitUntilExit()
    try #require(openssl.terminationStatus == 0)
    let standIn = try await StandIn.start(
      accessTokens: ["tok-A"], arguments: ["--tls-cert", cert, "--tls-key", key], scheme: "https")
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    let service = try standIn.service(retry: Self.quick)
    let delivery = try await service.postEvent(.init(message: "tls"))
    guard case .queued(let reason) = delivery else {
      Issue.record("expected the event to stay queued, got \(delivery)")
      return
    }
    #expect(reason.isConfigurationProblem)
    #expect(service.outbox.pending().count == 1)
    #expect(service.outbox.deadLetters().isEmpty)
  }

  @Test func aDefinitiveRejectionMovesTheEventToTheDeadLetters() async throws {
    try await withService { standIn, service in
      try await standIn.fault(method: "POST", path: "^/v1/event$", status: 422)
      await #expect(throws: LMKError.self) {
        _ = try await service.postEvent(.init(message: "rejected"))
      }
      #expect(service.outbox.pending().isEmpty)
      let letters = service.outbox.deadLetters()
      #expect(letters.count == 1)
      #expect(letters.first?.reason.contains("HTTP 422") == true)
      #expect(letters.first?.event?["message"] as? String == "rejected")
      for letter in letters {
        #expect(
          (try FileManager.default.attributesOfItem(atPath: letter.path)[.posixPermissions] as? Int)
            == 0o600)
      }
    }
  }

  @Test func anUnreadableEntryIsMovedToTheDeadLettersNotDeleted() async throws {
    try await withService { standIn, service in
      try FileManager.default.createDirectory(
        atPath: service.outbox.directory, withIntermediateDirectories: true)
      let path = "\(service.outbox.directory)/00000000000000000001-1-a.json"
      try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
      let report = await service.deliverPending()
      #expect(report.rejected == 1)
      #expect(service.outbox.pending().isEmpty)
      #expect(service.outbox.deadLetters().count == 1)
    }
  }

  @Test func theLastDeliveryErrorIsRecordedWithoutSecrets() async throws {
    try await withService { standIn, service in
      try await standIn.fault(method: "POST", path: "^/v1/event$", status: 503, count: 10)
      _ = try await service.postEvent(.init(message: "later"))
      let last = try #require(service.outbox.lastDeliveryError())
      #expect(last.message.contains("503"))
      #expect(!last.message.contains("tok-A"))
      #expect(
        (try FileManager.default.attributesOfItem(atPath: service.outbox.lastErrorPath)[
          .posixPermissions] as? Int) == 0o600)
    }
  }
}
