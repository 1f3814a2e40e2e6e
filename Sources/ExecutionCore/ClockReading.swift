/// A reading of the bridge's monotonic clock, in milliseconds.
///
/// The core never reads a clock itself: every input carries the time it
/// happened, so idle grace and minimum durations are testable as plain values.
public struct ClockReading: Comparable, Hashable, Sendable {
  public var milliseconds: Int64
  public init(milliseconds: Int64) { self.milliseconds = milliseconds }
  public static func < (a: ClockReading, b: ClockReading) -> Bool {
    a.milliseconds < b.milliseconds
  }
  /// This reading plus `delta`, saturating at the ends of `Int64` (a year-long grace
  /// from a config file never traps).
  public func adding(milliseconds delta: Int64) -> ClockReading {
    ClockReading(milliseconds: milliseconds.saturatingAdding(delta))
  }

  /// Milliseconds from `earlier` to this reading, saturating (never a trap).
  public func milliseconds(since earlier: ClockReading) -> Int64 {
    milliseconds.saturatingSubtracting(earlier.milliseconds)
  }
}
