/// A kernel message header date, in milliseconds since 1970-01-01 UTC.
///
/// Kernels stamp every header with an ISO 8601 date; the LMK session shows
/// the cell's start and end with millisecond precision, so that is what we keep.
public struct KernelTime: Comparable, Hashable, Sendable {
  public var millisecondsSince1970: Int64
  public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }
  public static func < (a: KernelTime, b: KernelTime) -> Bool {
    a.millisecondsSince1970 < b.millisecondsSince1970
  }
}
