/// A byte count as people read it: `200 MiB`, `8.0 GiB`, `512 KiB`.
public struct ByteCount: CustomStringConvertible, Sendable, Equatable {
  public var bytes: UInt64
  public init(_ bytes: UInt64) { self.bytes = bytes }

  public var description: String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var unit = 0
    var value = Double(bytes)
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    // value < 1024 here, so the tenths fit any integer type.
    let tenths = UInt64((value * 10).rounded())
    // Whole KiB and MiB read better without the tenth ("200 MiB"); GiB and up keep it ("8.0 GiB").
    if tenths % 10 == 0 && unit < 3 { return "\(tenths / 10) \(units[unit])" }
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
  }
}
