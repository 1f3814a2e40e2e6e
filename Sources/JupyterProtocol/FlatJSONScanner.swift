/// Reads the top-level members of a JSON object without building a tree.
///
/// Every IOPub message's header is parsed, tens of thousands a second when a
/// cell floods output; Foundation's decoders allocate a whole tree for a handful
/// of strings. This scanner walks the bytes once, hands out top-level string
/// values as slices and skips everything else. It checks the object's own
/// syntax (braces, keys, colons, commas, strings, balanced nesting); values it
/// skips are not validated further. Keys are compared as written.
struct FlatJSONScanner {
  enum ScanError: Error, Equatable {
    case notAnObject
    case malformed(offset: Int)
    case invalidUTF8
  }

  /// A top-level value: a string (its raw bytes between the quotes), `null`, or anything else.
  enum Value {
    case string(UnsafeRawBufferPointer, escaped: Bool)
    case null
    case other
  }

  private let bytes: UnsafeRawBufferPointer
  private var index = 0

  private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  /// Calls `visit` with each top-level key and value of the object in `bytes`.
  /// A bare `null` document is reported as `notAnObject`.
  static func scan(
    _ bytes: UnsafeRawBufferPointer, _ visit: (UnsafeRawBufferPointer, Value) throws -> Void
  ) throws {
    var scanner = FlatJSONScanner(bytes)
    try scanner.scanObject(visit)
  }

  /// Whether the document is the literal `null` (xeus sends some null parent headers).
  static func isNull(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var scanner = FlatJSONScanner(bytes)
    scanner.skipSpace()
    guard scanner.consume(literal: "null") else { return false }
    scanner.skipSpace()
    return scanner.index == bytes.count
  }

  /// Decodes a string value's raw bytes (JSON escapes included) into a Swift string.
  /// Invalid UTF-8 throws `invalidUTF8`, or with `repairing` becomes U+FFFD.
  static func decodeString(_ raw: UnsafeRawBufferPointer, escaped: Bool, repairing: Bool = false)
    throws -> String
  {
    if !escaped {
      if let text = String(validating: raw, as: UTF8.self) { return text }
      guard repairing else { throw ScanError.invalidUTF8 }
      return String(decoding: raw, as: UTF8.self)
    }
    var out = [UInt8]()
    out.reserveCapacity(raw.count)
    var i = 0
    func hex4(_ at: Int) throws -> UInt32 {
      guard at + 4 <= raw.count else { throw ScanError.malformed(offset: at) }
      var value: UInt32 = 0
      for k in at..<at + 4 {
        let c = raw[k]
        let digit: UInt8
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
        default: throw ScanError.malformed(offset: k)
        }
        value = value << 4 | UInt32(digit)
      }
      return value
    }
    while i < raw.count {
      let c = raw[i]
      guard c == UInt8(ascii: "\\") else {
        out.append(c)
        i += 1
        continue
      }
      guard i + 1 < raw.count else { throw ScanError.malformed(offset: i) }
      let e = raw[i + 1]
      i += 2
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0c)
      case UInt8(ascii: "n"): out.append(0x0a)
      case UInt8(ascii: "r"): out.append(0x0d)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4(i)
        i += 4
        if (0xD800..<0xDC00).contains(scalar), i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"),
          raw[i + 1] == UInt8(ascii: "u")
        {
          let low = try hex4(i + 2)
          if (0xDC00..<0xE000).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            i += 6
          }
        }
        // A lone surrogate becomes U+FFFD, as Python's json does not reject it.
        out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
      default: throw ScanError.malformed(offset: i - 1)
      }
    }
    if let text = String(validating: out, as: UTF8.self) { return text }
    guard repairing else { throw ScanError.invalidUTF8 }
    return String(decoding: out, as: UTF8.self)
  }

  // MARK: Grammar

  private mutating func scanObject(_ visit: (UnsafeRawBufferPointer, Value) throws -> Void) throws {
    skipSpace()
    guard peek == UInt8(ascii: "{") else { throw ScanError.notAnObject }
    index += 1
    skipSpace()
    if peek == UInt8(ascii: "}") {
      index += 1
      return try expectEnd()
    }
    while true {
      skipSpace()
      guard peek == UInt8(ascii: "\"") else { throw ScanError.malformed(offset: index) }
      let (key, _) = try scanString()
      skipSpace()
      guard peek == UInt8(ascii: ":") else { throw ScanError.malformed(offset: index) }
      index += 1
      skipSpace()
      try visit(key, try scanValue())
      skipSpace()
      switch peek {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "}"):
        index += 1
        return try expectEnd()
      default: throw ScanError.malformed(offset: index)
      }
    }
  }

  private mutating func expectEnd() throws {
    skipSpace()
    guard index == bytes.count else { throw ScanError.malformed(offset: index) }
  }

  private mutating func scanValue() throws -> Value {
    switch peek {
    case UInt8(ascii: "\""):
      let (raw, escaped) = try scanString()
      return .string(raw, escaped: escaped)
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      try skipNested()
      return .other
    case UInt8(ascii: "n"):
      guard consume(literal: "null") else { throw ScanError.malformed(offset: index) }
      return .null
    case nil:
      throw ScanError.malformed(offset: index)
    default:
      // Numbers, true, false: up to the next delimiter.
      let start = index
      while let c = peek, c != UInt8(ascii: ","), c != UInt8(ascii: "}"), !Self.isSpace(c) {
        guard c != UInt8(ascii: "\""), c != UInt8(ascii: "{"), c != UInt8(ascii: "[") else {
          throw ScanError.malformed(offset: index)
        }
        index += 1
      }
      guard index > start else { throw ScanError.malformed(offset: index) }
      return .other
    }
  }

  /// Returns the bytes between the quotes and whether they contain escapes.
  private mutating func scanString() throws -> (UnsafeRawBufferPointer, Bool) {
    index += 1  // opening quote
    let start = index
    var escaped = false
    while index < bytes.count {
      let c = bytes[index]
      if c == UInt8(ascii: "\"") {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        index += 1
        return (raw, escaped)
      }
      if c == UInt8(ascii: "\\") {
        escaped = true
        index += 2
        continue
      }
      guard c >= 0x20 else { throw ScanError.malformed(offset: index) }
      index += 1
    }
    throw ScanError.malformed(offset: index)
  }

  private mutating func skipNested() throws {
    var depth = 0
    while let c = peek {
      switch c {
      case UInt8(ascii: "\""):
        _ = try scanString()
        continue
      case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        if depth == 0 {
          index += 1
          return
        }
      default: break
      }
      index += 1
    }
    throw ScanError.malformed(offset: index)
  }

  private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

  private static func isSpace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09
  }

  private mutating func skipSpace() {
    while let c = peek, Self.isSpace(c) { index += 1 }
  }

  private mutating func consume(literal: StaticString) -> Bool {
    let count = literal.utf8CodeUnitCount
    guard index + count <= bytes.count else { return false }
    for k in 0..<count where bytes[index + k] != literal.utf8Start[k] { return false }
    index += count
    return true
  }
}
