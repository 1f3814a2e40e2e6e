import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import Synchronization

/// Applies a `RetryPolicy` to every request and bounds the attempt in flight by the
/// policy's remaining budget.
struct RetryMiddleware: ClientMiddleware {
  /// A per-call policy (the facade's `budget:` parameters) replacing the default.
  @TaskLocal static var override: RetryPolicy?
  /// Once set, calls in this task make no further attempts and stop waiting between them.
  @TaskLocal static var interruption: RetryInterruption?

  static var isInterrupted: Bool { interruption?.isInterrupted ?? false }

  let policy: RetryPolicy
  let logger: Logger

  func intercept(
    _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
    next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
  ) async throws -> (HTTPResponse, HTTPBody?) {
    let policy = Self.override ?? policy
    let payload = try await replayable(body)
    let start = ContinuousClock.now
    var attempt = 1
    while true {
      let outcome: RetryPolicy.Outcome
      var failure: (any Error)?
      var result: (HTTPResponse, HTTPBody?)?
      do {
        let response = try await CurlTransport.$deadline.withValue(start + policy.totalBudget) {
          try await next(request, payload.map { HTTPBody($0) }, baseURL)
        }
        result = response
        outcome = .status(
          response.0.status.code,
          retryAfter: parseRetryAfter(response.0.headerFields[.retryAfter], now: Date()))
      } catch {
        // Errors from the transport reach middlewares wrapped in the runtime's ClientError.
        guard case .transport(_, _, _, let retryable) = LMKError.unwrapping(error) else {
          throw error
        }
        failure = error
        outcome = .transportFailure(retryable: retryable)
      }
      let decision = policy.decide(
        outcome, attempt: attempt, elapsed: .now - start, jitter: Double.random(in: 0...1))
      guard case .retry(let delay) = decision, !Self.isInterrupted else {
        if let result { return result }
        throw failure ?? LMKError.invalidResponse(operation: operationID, message: "no response")
      }
      logger.notice(
        "LMK \(operationID) attempt \(attempt) failed: \(describe(outcome, failure)); retrying in \(Self.seconds(delay))"
      )
      // In slices, so an interruption (wrap-up) ends the wait within a few milliseconds.
      let wakeUp = ContinuousClock.now + delay
      while ContinuousClock.now < wakeUp {
        if Self.isInterrupted {
          if let result { return result }
          throw failure ?? LMKError.invalidResponse(operation: operationID, message: "no response")
        }
        try await Task.sleep(for: min(.milliseconds(20), wakeUp - .now))
      }
      attempt += 1
    }
  }

  /// The failure once: HTTP status, or the transport's own words (not the operation again).
  private func describe(_ outcome: RetryPolicy.Outcome, _ failure: (any Error)?) -> String {
    switch outcome {
    case .status(let code, _): return "HTTP \(code)"
    case .transportFailure:
      if case .transport(_, _, let message, _)? = failure.flatMap(LMKError.unwrapping) {
        return message
      }
      return "a transport failure"
    }
  }

  /// A wait for a person, rounded: "20 ms", "0.4 s", "12 s".
  static func seconds(_ delay: Duration) -> String {
    let value = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
    if value < 0.1 { return String(format: "%.0f ms", value * 1000) }
    return value < 10 ? String(format: "%.1f s", value) : String(format: "%.0f s", value)
  }
}

/// Lets a caller that must move on (a bridge wrapping up) stop the retries of calls made
/// earlier: their waits end and no further attempt starts. The attempt in flight runs on.
public final class RetryInterruption: Sendable {
  private let flag = Mutex(false)

  public init() {}

  public func interrupt() { flag.withLock { $0 = true } }
  public var isInterrupted: Bool { flag.withLock { $0 } }
}

extension LMKService {
  /// Runs `body` so that `interruption` can cut short the retries of the calls it makes.
  public static func interruptible<T: Sendable>(
    by interruption: RetryInterruption, _ body: () async throws -> T
  ) async rethrows -> T {
    try await RetryMiddleware.$interruption.withValue(interruption) { try await body() }
  }
}

/// Buffers a request body so it can be sent more than once (retries, 401 → refresh).
func replayable(_ body: HTTPBody?) async throws -> Data? {
  guard let body else { return nil }
  return try await Data(collecting: body, upTo: 4 << 20)
}
