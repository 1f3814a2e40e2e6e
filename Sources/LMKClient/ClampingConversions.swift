import Foundation

// Conversions of numbers that come from outside (HTTP answers, INI files, the
// environment, the clock) which clamp instead of trapping: `Int64(x)` traps on a NaN, an
// infinity or anything beyond ±2^63, and integer `*` and `+` trap on overflow.

extension Int64 {
  /// `seconds * scale`, rounded toward zero and clamped to Int64's range; NaN is nil.
  init?(clampingSeconds seconds: Double, scale: Double) {
    let value = seconds * scale
    guard !value.isNaN else { return nil }
    if value >= 9.2e18 {
      self = .max
    } else if value <= -9.2e18 {
      self = .min
    } else {
      self = Int64(value)
    }
  }
}

extension UInt64 {
  /// `seconds * scale` clamped to 0...UInt64.max (NaN and negatives are 0).
  init(clampingSeconds seconds: Double, scale: Double) {
    let value = seconds * scale
    if !(value > 0) {
      self = 0
    } else if value >= 1.8e19 {
      self = .max
    } else {
      self = UInt64(value)
    }
  }
}

extension Duration {
  /// Whole milliseconds, at least `minimum`, clamped to Int's range.
  func clampedMilliseconds(minimum: Int = 0) -> Int {
    let (seconds, attoseconds) = components
    let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
    let total =
      overflow
      ? (seconds < 0 ? Int64.min : Int64.max)
      : ms.addingClamped(attoseconds / 1_000_000_000_000_000)
    return max(minimum, Int(clamping: total))
  }
}

extension Int64 {
  func addingClamped(_ other: Int64) -> Int64 {
    let (sum, overflow) = addingReportingOverflow(other)
    return overflow ? (other < 0 ? .min : .max) : sum
  }
}

/// A token lifetime (`expires_in`, seconds) as a usable number: nil when it is not a
/// finite non-negative number, else at most a year (an absurd lifetime is not trusted
/// further: 401 → refresh catches a token that lapses sooner).
func saneLifetime(_ seconds: Double) -> Double? {
  guard seconds.isFinite, seconds >= 0 else { return nil }
  return min(seconds, 365 * 86400)
}
