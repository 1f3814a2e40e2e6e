import ExecutionCore
import Foundation

/// The header fields the bridge reads, scanned without a full JSON parse.
/// Valid only while the scanned bytes are (the date is parsed on demand).
struct HeaderFields {
  var msgId: String?
  var msgTypeIfAny: String?
  var subshellId: String?
  /// A digest of `session` (FNV-1a of its bytes): which kernel process sent the message.
  var sessionDigest: UInt64?
  private var dateBytes: (raw: UnsafeRawBufferPointer, escaped: Bool)?

  /// The header's `date`, nil when absent or not a date.
  func date() -> KernelTime? {
    guard let dateBytes,
      let text = try? FlatJSONScanner.decodeString(dateBytes.raw, escaped: dateBytes.escaped)
    else { return nil }
    return KernelTime(iso8601: text)
  }

  var msgType: String { msgTypeIfAny ?? "" }

  /// FNV-1a of a field's raw bytes: a cheap, allocation-free identity (wrapping arithmetic).
  static func digest(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return digest
  }

  /// The longest `msg_id`, `msg_type` or `subshell_id` accepted (raw bytes). Real ones
  /// are under 100 (a UUID, a session id and a counter); tracked ids stay small.
  static let maximumFieldBytes = 1_024

  /// Scans a header; with `allowNull`, a `null` document reads as an empty header
  /// (xeus-python sends null parent headers).
  /// With `repairing`, invalid UTF-8 in the fields read becomes U+FFFD instead of an error.
  init(_ bytes: UnsafeRawBufferPointer, allowNull: Bool = false, repairing: Bool = false) throws {
    if allowNull && (bytes.isEmpty || FlatJSONScanner.isNull(bytes)) { return }
    var msgId: String?
    var msgType: String?
    var subshellId: String?
    var sessionDigest: UInt64?
    var dateBytes: (UnsafeRawBufferPointer, Bool)?
    try FlatJSONScanner.scan(bytes) { key, value in
      guard case .string(let raw, let escaped) = value else { return }
      if key.isBytes(of: "msg_type") {
        msgType = try FlatJSONScanner.decodeString(raw, escaped: escaped, repairing: repairing)
      } else if key.isBytes(of: "msg_id") {
        msgId = try FlatJSONScanner.decodeString(raw, escaped: escaped, repairing: repairing)
      } else if key.isBytes(of: "subshell_id") {
        subshellId = try FlatJSONScanner.decodeString(raw, escaped: escaped, repairing: repairing)
      } else if key.isBytes(of: "date") {
        dateBytes = (raw, escaped)
      } else if key.isBytes(of: "session") {
        sessionDigest = Self.digest(raw)
      }
    }
    if !allowNull && msgType == nil { throw FlatJSONScanner.ScanError.notAnObject }
    // The bridge keeps ids while a cell runs: a hostile size is malformed, not memory.
    guard
      [msgId, msgType, subshellId].allSatisfy({ ($0?.utf8.count ?? 0) <= Self.maximumFieldBytes })
    else { throw FlatJSONScanner.ScanError.malformed(offset: 0) }
    self.msgId = msgId.flatMap { $0.isEmpty ? nil : $0 }
    self.msgTypeIfAny = msgType.flatMap { $0.isEmpty ? nil : $0 }
    self.subshellId = subshellId
    self.sessionDigest = sessionDigest
    self.dateBytes = dateBytes
  }
}

extension UnsafeRawBufferPointer {
  /// Byte equality with a literal, without walking a `String.UTF8View`.
  func isBytes(of literal: StaticString) -> Bool {
    guard count == literal.utf8CodeUnitCount else { return false }
    guard let base = baseAddress else { return true }
    return memcmp(base, literal.utf8Start, count) == 0
  }
}
