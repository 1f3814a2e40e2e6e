import Foundation

/// Checks, in one streaming pass and constant memory (but for the bracket stack), that a
/// JSON document is whole: one object, brackets that match, strings that close, nothing but
/// blanks after the end. `JSONKeyPathScanner` stops at the value it wants; this keeps
/// going, so a notebook cut short after `metadata.lmk` (a save interrupted, a disk full) is
/// reported instead of half-read. Tokens between brackets are not validated.
struct JSONEnvelopeCheck {
  /// Deeper nesting is refused rather than tracked (nbformat needs a handful of levels).
  static let maximumDepth = 10_000

  private var open: [UInt8] = []
  private var started = false
  private var ended = false
  private var inString = false
  private var escaped = false
  private var offset = 0
  /// The first problem found; feeding stops mattering once set.
  private(set) var problem: String?

  mutating func feed(_ bytes: some ContiguousBytes) {
    bytes.withUnsafeBytes { raw in feed(raw: raw) }
  }

  /// The problem at the end of the document, if any.
  mutating func finish() -> String? {
    if problem == nil, !ended {
      problem =
        started ? "the JSON text ends early (truncated at byte \(offset))" : "the file is empty"
    }
    return problem
  }

  private mutating func feed(raw: UnsafeRawBufferPointer) {
    var index = 0
    while index < raw.count, problem == nil {
      if inString, !escaped {
        // Most of a notebook is string bytes: jump to the next quote or backslash.
        index = JSONStringSkip.skip(raw, from: index, inString: &inString, escaped: &escaped)
        continue
      }
      if inString {
        escaped = false
      } else {
        step(raw[index])
      }
      index += 1
    }
    offset += raw.count
  }

  private mutating func step(_ byte: UInt8) {
    switch byte {
    case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
      return
    default: break
    }
    if ended {
      problem = "there is more after the end of the JSON document"
      return
    }
    if !started {
      started = true
      guard byte == UInt8(ascii: "{") else {
        problem = "the document is not a JSON object"
        return
      }
    }
    switch byte {
    case UInt8(ascii: "\""): inString = true
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      guard open.count < Self.maximumDepth else {
        problem = "the JSON is nested more than \(Self.maximumDepth) levels deep"
        return
      }
      open.append(byte)
    case UInt8(ascii: "}"), UInt8(ascii: "]"):
      let expected = byte == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "[")
      guard open.last == expected else {
        problem = "a closing \(Character(UnicodeScalar(byte))) does not match"
        return
      }
      open.removeLast()
      ended = open.isEmpty
    default: break
    }
  }
}
