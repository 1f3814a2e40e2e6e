import Foundation
import Testing

@testable import LMKClient

/// Each fault mode of the stand-in, against the retry middleware and the curl transport.
/// Serialized: the time bounds below are about the client, not a loaded machine.
@Suite(.serialized) struct FaultTests {
  static let path = "/v1/notificationChannel"

  func withService(
    timeouts: HTTPTimeouts = HTTPTimeouts(connect: .seconds(2), total: .seconds(5)),
    retry: RetryPolicy? = nil,
    _ body: (StandIn, LMKService) async throws -> Void
  ) async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    try await body(standIn, try standIn.service(timeouts: timeouts, retry: retry))
  }

  func statuses(_ standIn: StandIn) async throws -> [Int?] {
    try await standIn.requests("GET", Self.path).map { $0["status"] as? Int }
  }

  @Test func honoursRetryAfterOn503() async throws {
    try await withService { standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", status: 503, retryAfter: 1)
      let started = ContinuousClock.now
      #expect(try await service.listChannels().count == 3)
      #expect(ContinuousClock.now - started >= .seconds(1))
      #expect(try await statuses(standIn) == [503, 200])
    }
  }

  @Test func honoursRetryAfterOn429() async throws {
    try await withService { standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", status: 429, retryAfter: 1)
      let started = ContinuousClock.now
      #expect(try await service.listChannels().count == 3)
      #expect(ContinuousClock.now - started >= .seconds(1))
      #expect(try await statuses(standIn) == [429, 200])
    }
  }

  @Test func retriesAfterAnAnswerSlowerThanTheTimeout() async throws {
    try await withService(timeouts: HTTPTimeouts(connect: .seconds(2), total: .milliseconds(700))) {
      standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", delayMs: 2500)
      let started = ContinuousClock.now
      #expect(try await service.listChannels().count == 3)
      // The first attempt was cut at 0.7 s rather than waiting 2.5 s for the answer.
      #expect(ContinuousClock.now - started < .seconds(2.4))
      #expect(try await statuses(standIn).count >= 2)
    }
  }

  @Test func retriesAfterADroppedConnection() async throws {
    try await withService { standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", drop: true)
      #expect(try await service.listChannels().count == 3)
      #expect(try await statuses(standIn).count == 2)
    }
  }

  @Test func doesNotRetryOtherClientErrors() async throws {
    try await withService { standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", status: 400, count: 5)
      await #expect(
        throws: LMKError.http(
          operation: "listNotificationChannels", status: 400,
          message: "fault injected by the stand-in")
      ) {
        _ = try await service.listChannels()
      }
      #expect(try await statuses(standIn) == [400])
    }
  }

  @Test func aShortBudgetGivesUpQuickly() async throws {
    try await withService { standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", status: 503, count: 50)
      let started = ContinuousClock.now
      await #expect(
        throws: LMKError.http(
          operation: "listNotificationChannels", status: 503,
          message: "fault injected by the stand-in")
      ) {
        _ = try await service.listChannels(budget: .shutdown)
      }
      #expect(ContinuousClock.now - started < .seconds(1.5))
      #expect((1...2).contains(try await statuses(standIn).count))
    }
  }

  @Test func aHangingServerIsCutOffByTheBudget() async throws {
    try await withService(timeouts: HTTPTimeouts(connect: .seconds(2), total: .seconds(30))) {
      standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", delayMs: 5000, count: 5)
      let started = ContinuousClock.now
      do {
        _ = try await service.listChannels(budget: .shutdown)
        Issue.record("expected a timeout")
      } catch let error as LMKError {
        #expect(error.isTransient)
      }
      #expect(ContinuousClock.now - started < .seconds(1.5))
    }
  }

  @Test func cancellingTheTaskAbortsTheRequestInFlight() async throws {
    try await withService(timeouts: HTTPTimeouts(connect: .seconds(2), total: .seconds(30))) {
      standIn, service in
      try await standIn.fault(method: "GET", path: "^\(Self.path)$", delayMs: 8000)
      let call = Task { try await service.listChannels() }
      _ = try await waitFor("the request to reach the stand-in", timeout: .seconds(10)) {
        try await statuses(standIn).isEmpty ? nil : true
      }
      let started = ContinuousClock.now
      call.cancel()
      await #expect(throws: CancellationError.self) { _ = try await call.value }
      #expect(ContinuousClock.now - started < .seconds(3))
    }
  }

  @Test func aClosedPortIsATransientTransportError() async throws {
    var configuration = LMKConfiguration(environment: [
      "LMK_SERVER_URL": "http://127.0.0.1:9", "LMK_ACCESS_TOKEN": "t",
      "HOME": NSTemporaryDirectory(),
    ])
    configuration.retry = RetryPolicy(
      maxAttempts: 2, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10),
      totalBudget: .seconds(5))
    let service = try LMKService(configuration: configuration, logger: .init(label: "test"))
    do {
      _ = try await service.listChannels()
      Issue.record("expected a connection failure")
    } catch let LMKError.transport(operation, _, message, retryable) {
      #expect(operation == "listNotificationChannels")
      #expect(retryable)
      #expect(!message.isEmpty)
    }
  }
}
