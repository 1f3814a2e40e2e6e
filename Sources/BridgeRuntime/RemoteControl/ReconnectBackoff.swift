/// How long the session socket waits before its next connection attempt: capped
/// exponential backoff with jitter, for as long as the kernel lives (never "give up
/// after 4" as the official client does).
package struct ReconnectBackoff: Sendable, Equatable {
  /// The wait after the first failure in a row.
  package var first: Duration
  /// No wait is longer than this.
  package var cap: Duration

  package init(first: Duration = .milliseconds(500), cap: Duration = .seconds(30)) {
    self.first = first
    self.cap = cap
  }

  /// The wait after `failures` failed attempts in a row (1 for the first), with
  /// `jitter` in 0...1 (a random draw; out-of-range values are clamped) spreading it
  /// over half to all of the nominal wait, so bridges that lost LMK together do not
  /// come back together.
  package func delay(afterFailures failures: Int, jitter: Double) -> Duration {
    let doublings = min(max(failures, 1) - 1, 16)
    let nominal = min(first * (1 << doublings), cap)
    let spread = jitter.isFinite ? min(max(jitter, 0), 1) : 1
    return nominal * (0.5 + 0.5 * spread)
  }
}
