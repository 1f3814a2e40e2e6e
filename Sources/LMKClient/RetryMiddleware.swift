import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// Applies a `RetryPolicy` to every request and bounds the attempt in flight by the
/// policy's remaining budget.
struct RetryMiddleware: ClientMiddleware {
  /// A per-call policy (the facade's `budget:` parameters) replacing the default.
  @TaskLocal static var override: RetryPolicy?

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
      } catch let error as LMKError {
        failure = error
        guard case .transport(_, _, _, let retryable) = error else { throw error }
        outcome = .transportFailure(retryable: retryable)
      }
      let decision = policy.decide(
        outcome, attempt: attempt, elapsed: .now - start, jitter: Double.random(in: 0...1))
      guard case .retry(let delay) = decision else {
        if let result { return result }
        throw failure ?? LMKError.invalidResponse(operation: operationID, message: "no response")
      }
      logger.notice(
        "LMK \(operationID): attempt \(attempt) got \(describe(outcome, failure)); retrying in \(delay)"
      )
      try await Task.sleep(for: delay)
      attempt += 1
    }
  }

  private func describe(_ outcome: RetryPolicy.Outcome, _ failure: (any Error)?) -> String {
    switch outcome {
    case .status(let code, _): return "HTTP \(code)"
    case .transportFailure: return failure.map { "\($0)" } ?? "a transport failure"
    }
  }
}

/// Buffers a request body so it can be sent more than once (retries, 401 → refresh).
func replayable(_ body: HTTPBody?) async throws -> Data? {
  guard let body else { return nil }
  return try await Data(collecting: body, upTo: 4 << 20)
}
