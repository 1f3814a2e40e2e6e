import ExecutionCore
import Foundation

/// The bridge's clock readings, taken at the edge and handed to the pure core.
public enum MonotonicClock {
  /// Milliseconds on the monotonic clock (never jumps with wall-clock changes).
  public static func now() -> ClockReading {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return ClockReading(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
  }

  /// The wall clock as a header date (`2025-01-23T21:23:15.387Z`), for requests we send.
  public static func wallDate() -> String { wallTime().iso8601 }

  /// The wall clock, comparable with a local kernel's header dates.
  public static func wallTime() -> KernelTime {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return KernelTime(
      millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
  }
}
