import Foundation
import Testing

@testable import LMKClient

/// The durable outbox: events survive a killed sender and an outage, and none that LMK
/// acknowledged is sent twice.
@Suite struct OutboxTests {
  func messages(_ standIn: StandIn) async throws -> [String] {
    try await standIn.events().compactMap { $0["message"] as? String }
  }

  @Test func aKilledSendersEventsAreDeliveredByTheNextProcess() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    let sender = try SenderProcess(standIn: standIn, arguments: ["post"])
    for name in ["e1", "e2", "e3"] {
      sender.send(name)
      try await sender.waitForLine("delivered \(name)")
    }
    // An outage: e4 and e5 stay in the outbox.
    try await standIn.fault(method: "POST", path: "^/v1/event$", status: 503, count: 1000)
    for name in ["e4", "e5"] {
      sender.send(name)
      try await sender.waitForLine("queued \(name)")
    }
    // e6 reaches the server, which holds the answer; the sender dies waiting for it.
    try await standIn.clearFaults()
    try await standIn.fault(method: "POST", path: "^/v1/event$", delayMs: 3000)
    sender.send("e6")
    _ = try await waitFor("e6 to reach the stand-in", timeout: .seconds(10)) {
      try await standIn.requests("POST", "/v1/event").contains {
        ($0["body"] as? [String: Any])?["message"] as? String == "e6"
      } ? true : nil
    }
    sender.kill()
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: standIn.outboxPath).filter {
        $0.hasSuffix(".json")
      }.count == 3)

    let next = try SenderProcess(standIn: standIn, arguments: ["deliver"])
    #expect(try await next.finish() == 0)
    #expect(next.output == "report 3 0 0\n")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: standIn.outboxPath).filter {
        $0.hasSuffix(".json")
      }.isEmpty)

    // The held e6 may still land: it was in flight, so at-least-once allows a second copy.
    let delivered = try await messages(standIn)
    for name in ["e1", "e2", "e3", "e4", "e5"] {
      #expect(
        delivered.filter { $0 == name }.count == 1,
        "\(name) delivered \(delivered.filter { $0 == name }.count) times")
    }
    #expect((1...2).contains(delivered.filter { $0 == "e6" }.count))
    let names = standIn.directory.appendingPathComponent("data/jupyter-lmk")
    #expect(
      (try FileManager.default.attributesOfItem(
        atPath: names.appendingPathComponent("outbox").path)[.posixPermissions] as? Int)
        == 0o700)
  }

  @Test func entriesAreWrittenPrivatelyAndTheOutboxIsBounded() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    let service = try standIn.service(outboxCapacity: 3)
    try await standIn.fault(method: "POST", path: "^/v1/event$", status: 503, count: 1000)
    for index in 1...5 {
      let delivery = try await service.postEvent(.init(message: "m\(index)"), budget: .shutdown)
      guard case .queued(let reason) = delivery else {
        Issue.record("m\(index) was not queued: \(delivery)")
        return
      }
      #expect(reason.isTransient)
    }
    let pending = service.outbox.pending()
    #expect(pending.count == 3)
    for entry in pending {
      #expect(
        (try FileManager.default.attributesOfItem(atPath: entry.path)[.posixPermissions] as? Int)
          == 0o600)
    }
    try await standIn.clearFaults()
    #expect(
      await service.deliverPending()
        == LMKService.OutboxReport(delivered: 3, remaining: 0, rejected: 0))
    #expect(try await messages(standIn) == ["m3", "m4", "m5"])
  }

  @Test func aPermanentlyRejectedEventMovesToTheDeadLetters() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    let service = try standIn.service()
    let event = LMKService.Event(
      message: "x", notificationConfig: .init(notify: true, channelIds: ["no-such-channel"]))
    await #expect(throws: LMKError.self) { _ = try await service.postEvent(event) }
    #expect(service.outbox.pending().isEmpty)
    #expect(service.outbox.deadLetters().count == 1)
  }

  @Test func anEntryClaimedByAnotherSenderIsSkipped() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    let service = try standIn.service()
    try await standIn.fault(method: "POST", path: "^/v1/event$", status: 503, count: 1000)
    _ = try await service.postEvent(.init(message: "held"), budget: .shutdown)
    try await standIn.clearFaults()
    let entry = try #require(service.outbox.pending().first)
    let claim = try #require(service.outbox.claim(entry))
    #expect(
      await service.deliverPending()
        == LMKService.OutboxReport(delivered: 0, remaining: 1, rejected: 0))
    claim.release()
    #expect(
      await service.deliverPending()
        == LMKService.OutboxReport(delivered: 1, remaining: 0, rejected: 0))
  }
}
