import Foundation
import Testing

@testable import LMKClient

/// Issue 9 item 8: when the outbox cannot be written (disk full, read-only, a file where
/// its folder belongs) the event is still sent from memory: durable when possible,
/// delivered always. Root ignores permission bits, so the outbox's folder is put below a
/// regular file (ENOTDIR for everyone); the e2e suite covers ENOSPC on a tiny tmpfs.
@Suite(.serialized) struct UnwritableOutboxTests {
  func unwritableService(_ standIn: StandIn) throws -> LMKService {
    let blocker = standIn.directory.appendingPathComponent("not-a-folder")
    try Data("x".utf8).write(to: blocker)
    var configuration = LMKConfiguration(environment: standIn.environment())
    configuration.outboxDirectory = blocker.appendingPathComponent("outbox").path
    configuration.retry = RetryPolicy(
      maxAttempts: 2, initialDelay: .milliseconds(20), maxDelay: .milliseconds(50),
      totalBudget: .seconds(4))
    return try LMKService(configuration: configuration, logger: .init(label: "test"))
  }

  @Test func withLMKUpTheEventIsDeliveredFromMemory() async throws {
    let standIn = try await StandIn.startLoggedIn()
    defer { standIn.stop() }
    let service = try unwritableService(standIn)
    let delivery = try await service.postEvent(.init(message: "from memory"))
    guard case .delivered = delivery else {
      Issue.record("expected delivery, got \(delivery)")
      return
    }
    #expect(!service.enqueueEvent(.init(message: "enqueued from memory")))
    #expect(await service.deliverPending().delivered == 1)
    #expect(
      try await standIn.events().compactMap { $0["message"] as? String } == [
        "from memory", "enqueued from memory",
      ])
  }

  @Test func withLMKDownTheEventIsKeptInMemoryAndRetried() async throws {
    let standIn = try await StandIn.startLoggedIn()
    defer { standIn.stop() }
    let service = try unwritableService(standIn)
    try await standIn.fault(method: "POST", path: "^/v1/event$", status: 503, count: 100)
    for name in ["a", "b"] {
      guard case .queued = try await service.postEvent(.init(message: name)) else {
        Issue.record("\(name) was not queued")
        return
      }
    }
    #expect(service.unsavedEventCount == 2)
    try await standIn.clearFaults()
    #expect(await service.deliverPending().delivered == 2)
    #expect(service.unsavedEventCount == 0)
    #expect(try await standIn.events().compactMap { $0["message"] as? String } == ["a", "b"])
  }
}
