import Foundation

/// Most of a notebook is string bytes (sources, outputs, images) nobody needs: the JSON
/// scanners jump over them with memchr instead of stepping byte by byte.
enum JSONStringSkip {
  /// From `index`, inside a string and not right after a backslash: the index just past
  /// the next backslash (now `escaped`) or closing quote (now not `inString`), whichever
  /// comes first, or the buffer's end (still inside the string).
  static func skip(
    _ raw: UnsafeRawBufferPointer, from index: Int, inString: inout Bool, escaped: inout Bool
  ) -> Int {
    guard let base = raw.baseAddress, index < raw.count else { return raw.count }
    let start = base + index
    let remaining = raw.count - index
    let quote = memchr(start, Int32(UInt8(ascii: "\"")), remaining).map {
      UnsafeRawPointer($0) - start
    }
    if let backslash = memchr(start, Int32(UInt8(ascii: "\\")), quote ?? remaining) {
      escaped = true
      return index + (UnsafeRawPointer(backslash) - start) + 1
    }
    guard let quote else { return raw.count }
    inString = false
    return index + quote + 1
  }
}
