import Foundation

/// When to try a request again: exponential backoff with jitter on connection failures,
/// timeouts, 408, 429 and 5xx (honouring `Retry-After`), within a bounded number of
/// attempts and a total time budget. Pure, so the schedule is tested without a network.
public struct RetryPolicy: Sendable, Equatable {
  public var maxAttempts: Int
  public var initialDelay: Duration
  public var maxDelay: Duration
  /// Wall time for all attempts and waits together; the last attempt is cut to fit.
  public var totalBudget: Duration

  public init(maxAttempts: Int, initialDelay: Duration, maxDelay: Duration, totalBudget: Duration) {
    self.maxAttempts = max(1, maxAttempts)
    self.initialDelay = initialDelay
    self.maxDelay = maxDelay
    self.totalBudget = totalBudget
  }

  /// Normal operation: ride out a short outage without holding on forever.
  public static let standard = RetryPolicy(
    maxAttempts: 6, initialDelay: .milliseconds(500), maxDelay: .seconds(20),
    totalBudget: .seconds(90))
  /// At shutdown Jupyter escalates to SIGKILL after 2.5 s: one quick try, the outbox keeps the rest.
  public static let shutdown = RetryPolicy(
    maxAttempts: 2, initialDelay: .milliseconds(100), maxDelay: .milliseconds(200),
    totalBudget: .milliseconds(900))

  /// A person is waiting at a terminal: a few quick tries, then say what is wrong.
  public static let interactive = RetryPolicy(
    maxAttempts: 3, initialDelay: .milliseconds(300), maxDelay: .seconds(2),
    totalBudget: .seconds(15))

  /// What one attempt produced.
  public enum Outcome: Sendable, Equatable {
    case status(Int, retryAfter: Duration?)
    case transportFailure(retryable: Bool)
  }

  public enum Decision: Sendable, Equatable {
    case finish
    case retry(after: Duration)
  }

  /// Decides after attempt number `attempt` (1-based), `elapsed` since the first began;
  /// `jitter` in 0...1 picks the wait within the upper half of the backoff step.
  public func decide(_ outcome: Outcome, attempt: Int, elapsed: Duration, jitter: Double)
    -> Decision
  {
    let retryAfter: Duration?
    switch outcome {
    case .status(let code, let after):
      guard code == 408 || code == 429 || (500...599).contains(code) else { return .finish }
      retryAfter = after
    case .transportFailure(let retryable):
      guard retryable else { return .finish }
      retryAfter = nil
    }
    guard attempt < maxAttempts else { return .finish }
    let delay = retryAfter ?? backoff(attempt: attempt, jitter: jitter)
    guard elapsed + delay < totalBudget else { return .finish }
    return .retry(after: delay)
  }

  private func backoff(attempt: Int, jitter: Double) -> Duration {
    let step = min(maxDelay, initialDelay * (1 << min(attempt - 1, 20)))
    return step * (0.5 + 0.5 * min(1, max(0, jitter)))
  }
}

/// The longest `Retry-After` honoured: a server asking for more (2^63 seconds, a date in
/// year 999999999) gets this, so no value traps and none parks a request for good.
public let maxRetryAfter: Duration = .seconds(86400)

/// Parses a `Retry-After` value: delay-seconds or an HTTP date relative to `now`, clamped
/// to 0...`maxRetryAfter`.
public func parseRetryAfter(_ value: String?, now: Date) -> Duration? {
  guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
  if value.allSatisfy(\.isASCIIDigitOrSign) {
    // Too many digits for Int is still "a very long time", not a parse error.
    guard let first = value.first, first != "-" else { return nil }
    guard let seconds = Int(value) else { return value.count > 3 ? maxRetryAfter : nil }
    return min(.seconds(seconds), maxRetryAfter)
  }
  let formatter = DateFormatter()
  formatter.locale = Locale(identifier: "en_US_POSIX")
  formatter.timeZone = TimeZone(identifier: "GMT")
  formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
  guard let date = formatter.date(from: value) else { return nil }
  let seconds = date.timeIntervalSince(now)
  guard seconds.isFinite else { return nil }
  let milliseconds = Int64(clampingSeconds: min(max(seconds, 0), 86400), scale: 1000) ?? 0
  return min(.milliseconds(milliseconds), maxRetryAfter)
}

extension Character {
  fileprivate var isASCIIDigitOrSign: Bool {
    ("0"..."9").contains(self) || self == "-" || self == "+"
  }
}
