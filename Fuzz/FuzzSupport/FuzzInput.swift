/// Splits a fuzz input into parts at separator bytes (ASCII's record and unit
/// separators), so a mutation that inserts or deletes a byte keeps the rest
/// of the structure; text seeds stay readable.
public enum FuzzInput {
  /// Between records (messages, lines of a scenario).
  public static let recordSeparator: UInt8 = 0x1E
  /// Between the fields of a record (frames of a message).
  public static let unitSeparator: UInt8 = 0x1F

  /// The bytes libFuzzer passed, copied.
  public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
  }

  /// The parts between `separator`s (empty parts kept).
  public static func split(_ bytes: ArraySlice<UInt8>, at separator: UInt8) -> [ArraySlice<UInt8>] {
    bytes.split(separator: separator, omittingEmptySubsequences: false)
  }
}
