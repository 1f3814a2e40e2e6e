import Foundation
import Testing

@testable import LMKClient

@Suite struct RetryPolicyTests {
  let policy = RetryPolicy(
    maxAttempts: 4, initialDelay: .milliseconds(100), maxDelay: .milliseconds(400),
    totalBudget: .seconds(5))

  struct Case: Sendable, CustomTestStringConvertible {
    let outcome: RetryPolicy.Outcome
    let attempt: Int
    let elapsed: Duration
    let jitter: Double
    let expected: RetryPolicy.Decision
    var testDescription: String { "\(outcome) attempt \(attempt) elapsed \(elapsed) → \(expected)" }
  }

  @Test(arguments: [
    Case(
      outcome: .status(201, retryAfter: nil), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .finish),
    Case(
      outcome: .status(400, retryAfter: nil), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .finish),
    Case(
      outcome: .status(401, retryAfter: nil), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .finish),
    Case(
      outcome: .status(404, retryAfter: nil), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .finish),
    Case(
      outcome: .status(409, retryAfter: nil), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .finish),
    Case(
      outcome: .status(408, retryAfter: nil), attempt: 1, elapsed: .zero, jitter: 1,
      expected: .retry(after: .milliseconds(100))),
    Case(
      outcome: .status(500, retryAfter: nil), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .retry(after: .milliseconds(50))),
    Case(
      outcome: .status(503, retryAfter: nil), attempt: 2, elapsed: .zero, jitter: 1,
      expected: .retry(after: .milliseconds(200))),
    // Backoff doubles per attempt and is capped by maxDelay.
    Case(
      outcome: .status(502, retryAfter: nil), attempt: 3, elapsed: .zero, jitter: 1,
      expected: .retry(after: .milliseconds(400))),
    // Retry-After wins over the backoff, also beyond maxDelay.
    Case(
      outcome: .status(429, retryAfter: .seconds(2)), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .retry(after: .seconds(2))),
    Case(
      outcome: .status(503, retryAfter: .seconds(1)), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .retry(after: .seconds(1))),
    // A wait that would overrun the budget gives up now.
    Case(
      outcome: .status(503, retryAfter: .seconds(3)), attempt: 1, elapsed: .seconds(2), jitter: 0,
      expected: .finish),
    Case(
      outcome: .transportFailure(retryable: true), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .retry(after: .milliseconds(50))),
    Case(
      outcome: .transportFailure(retryable: false), attempt: 1, elapsed: .zero, jitter: 0,
      expected: .finish),
    // Attempts are bounded.
    Case(
      outcome: .transportFailure(retryable: true), attempt: 4, elapsed: .zero, jitter: 0,
      expected: .finish),
    Case(
      outcome: .status(503, retryAfter: nil), attempt: 4, elapsed: .zero, jitter: 0,
      expected: .finish),
  ])
  func decides(_ c: Case) {
    #expect(
      policy.decide(c.outcome, attempt: c.attempt, elapsed: c.elapsed, jitter: c.jitter)
        == c.expected)
  }

  @Test func parsesRetryAfterSecondsAndDates() {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    #expect(parseRetryAfter("2", now: now) == .seconds(2))
    #expect(parseRetryAfter(" 0 ", now: now) == .zero)
    #expect(parseRetryAfter("-1", now: now) == nil)
    #expect(parseRetryAfter("soon", now: now) == nil)
    #expect(parseRetryAfter(nil, now: now) == nil)
    // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
    #expect(parseRetryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == .seconds(10))
  }

  @Test func redactsTokensInURLs() {
    #expect(
      redactedURL("wss://h/v1/session/ws?token=abc.def&x=1")
        == "wss://h/v1/session/ws?token=REDACTED&x=1")
    #expect(redactedURL("https://h/p?a=1&token=s3cret") == "https://h/p?a=1&token=REDACTED")
    #expect(redactedURL("https://h/p") == "https://h/p")
  }
}
