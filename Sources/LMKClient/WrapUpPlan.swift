/// How a bridge spends its exit deadline (docs/BEHAVIOUR.md, "Launcher mode": ~1 s after a shutdown, ~2 s
/// after a death) when it wraps up. The end of the session comes early, before the
/// retries of what is already durable (the events: a later bridge sends those), because
/// a session nobody ends looks alive in the app for good. Offsets from the start of the
/// wrap-up; all shares together end before `total`, leaving room to exit.
public struct WrapUpPlan: Sendable, Equatable {
  public let total: Duration

  public init(total: Duration) { self.total = total }

  /// How long the request already in flight may finish before it is aborted.
  public var inFlightGrace: Duration { total * 0.1 }

  /// The final session state: one attempt.
  public var state: RetryPolicy {
    RetryPolicy(
      maxAttempts: 1, initialDelay: .zero, maxDelay: .zero, totalBudget: total * 0.15)
  }

  /// `endSession`: a few quick attempts in the largest share; kept durably if they fail.
  public var end: RetryPolicy {
    RetryPolicy(
      maxAttempts: 3, initialDelay: total * 0.05, maxDelay: total * 0.1, totalBudget: total * 0.4)
  }

  /// Events (new ones and retries) may be attempted until this offset.
  public var eventsDeadline: Duration { total * 0.85 }

  /// The policy for the events when `left` remains before `eventsDeadline`.
  public func events(left: Duration) -> RetryPolicy {
    RetryPolicy(
      maxAttempts: 2, initialDelay: total * 0.05, maxDelay: total * 0.1, totalBudget: left)
  }
}
