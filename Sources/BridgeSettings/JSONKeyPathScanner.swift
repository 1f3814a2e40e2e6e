import Foundation

/// Finds the bytes of one nested value (such as `metadata.lmk`) in a JSON document
/// fed in chunks, without decoding or keeping anything else.
///
/// A notebook is mostly cell sources and outputs (images, tables): megabytes the
/// bridge never needs. The scanner walks them byte by byte in constant memory and
/// keeps only the wanted value, up to `captureLimit` bytes. Keys are compared as
/// written, so a key spelled with `\u` escapes is not recognised.
struct JSONKeyPathScanner {
  enum Outcome: Equatable {
    /// Feed more bytes.
    case needMore
    /// The value's JSON text.
    case found([UInt8])
    /// An object on the path closed without the next key.
    case absent
    /// The document is not what the path needs (a problem in words).
    case invalid(String)
  }

  private let path: [[UInt8]]
  private let captureLimit: Int

  private var started = false
  private var depth = 0
  private var inString = false
  private var escaped = false
  /// How many keys of `path` matched so far; the next is looked for at depth `matched + 1`.
  private var matched = 0
  private var expectingKey = false
  private var key: [UInt8]?
  private var keyMatched = false
  private var awaitingValue = false
  private var capture: [UInt8]?
  private var captureIsScalar = false
  private var outcome = Outcome.needMore

  init(path: [String], captureLimit: Int) {
    self.path = path.map { Array($0.utf8) }
    self.captureLimit = captureLimit
  }

  private var pathText: String {
    path.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
  }

  /// Consumes `bytes`; once the outcome is decided, further bytes are ignored.
  mutating func feed(_ bytes: some ContiguousBytes) -> Outcome {
    bytes.withUnsafeBytes { raw in feed(raw: raw) }
    return outcome
  }

  private mutating func feed(raw: UnsafeRawBufferPointer) {
    var index = 0
    while index < raw.count, outcome == .needMore {
      if inString, !escaped, key == nil, capture == nil {
        // Inside a string nobody needs (most of a notebook's bytes): jump to the next
        // backslash or closing quote with memchr instead of stepping byte by byte.
        index = JSONStringSkip.skip(raw, from: index, inString: &inString, escaped: &escaped)
        continue
      }
      step(raw[index])
      index += 1
    }
  }

  /// The outcome at the end of the document.
  mutating func finish() -> Outcome {
    if outcome == .needMore {
      if captureIsScalar, let capture, !inString {
        outcome = .found(capture)
      } else {
        outcome = .invalid(started ? "the JSON text ends early" : "the file is empty")
      }
    }
    return outcome
  }

  private mutating func append(_ byte: UInt8) {
    guard var bytes = capture else { return }
    capture = nil  // keep the buffer uniquely referenced while appending
    bytes.append(byte)
    if bytes.count > captureLimit {
      outcome = .invalid("\(pathText) is larger than \(captureLimit) bytes")
    }
    capture = bytes
  }

  /// Keeps a key being read only as long as it can still equal the wanted one.
  private mutating func appendToKey(_ byte: UInt8) {
    if let count = key?.count, count <= path[matched].count { key?.append(byte) }
  }

  private mutating func step(_ byte: UInt8) {
    if inString {
      append(byte)
      if escaped {
        escaped = false
        appendToKey(byte)
      } else if byte == UInt8(ascii: "\\") {
        escaped = true
        appendToKey(byte)
      } else if byte == UInt8(ascii: "\"") {
        inString = false
        if let finished = key {
          keyMatched = finished == path[matched]
          key = nil
        }
        if captureIsScalar, let capture { outcome = .found(capture) }
      } else {
        appendToKey(byte)
      }
      return
    }
    switch byte {
    case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
      append(byte)
      return
    default: break
    }
    guard started else {
      started = true
      guard byte == UInt8(ascii: "{") else {
        outcome = .invalid("the document is not a JSON object")
        return
      }
      depth = 1
      expectingKey = true
      return
    }
    if awaitingValue {
      awaitingValue = false
      startValue(byte)
      return
    }
    if capture != nil {
      captureStep(byte)
      return
    }
    let searchDepth = matched + 1
    switch byte {
    case UInt8(ascii: "\""):
      inString = true
      if depth == searchDepth, expectingKey {
        key = []
        expectingKey = false
      }
    case UInt8(ascii: ":"):
      if depth == searchDepth, keyMatched {
        keyMatched = false
        awaitingValue = true
      }
    case UInt8(ascii: ","):
      if depth == searchDepth {
        expectingKey = true
        keyMatched = false
      }
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      depth += 1
    case UInt8(ascii: "}"), UInt8(ascii: "]"):
      depth -= 1
      if depth < searchDepth { outcome = .absent }
    default:
      break
    }
  }

  /// The first byte of the value of a matched key.
  private mutating func startValue(_ byte: UInt8) {
    if matched + 1 < path.count {
      // An intermediate key: its value must be an object to descend into.
      guard byte == UInt8(ascii: "{") else {
        let name = path[0...matched].map { String(decoding: $0, as: UTF8.self) }.joined(
          separator: ".")
        outcome = .invalid("\(name) is not an object")
        return
      }
      matched += 1
      depth += 1
      expectingKey = true
      return
    }
    capture = [byte]
    switch byte {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      depth += 1
    case UInt8(ascii: "\""):
      inString = true
      captureIsScalar = true
    default:
      captureIsScalar = true
    }
  }

  /// A byte inside the captured value, outside strings.
  private mutating func captureStep(_ byte: UInt8) {
    if captureIsScalar {
      // A number or literal ends at the container's next `,` or closing bracket.
      if byte == UInt8(ascii: ","), let capture { outcome = .found(capture) }
      if byte == UInt8(ascii: "}"), let capture { outcome = .found(capture) }
      if outcome != .needMore { return }
      append(byte)
      return
    }
    append(byte)
    switch byte {
    case UInt8(ascii: "\""):
      inString = true
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      depth += 1
    case UInt8(ascii: "}"), UInt8(ascii: "]"):
      depth -= 1
      if depth == path.count, let capture { outcome = .found(capture) }
    default:
      break
    }
  }
}
