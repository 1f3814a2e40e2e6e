/// Bytes that must never be printed: HMAC keys, CurveZMQ secret keys.
///
/// `description`, `debugDescription` and reflection all show a placeholder,
/// so a secret cannot leak through string interpolation, `dump` or a log.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  public let bytes: [UInt8]
  public init(_ bytes: [UInt8]) { self.bytes = bytes }
  public init(_ text: String) { self.bytes = Array(text.utf8) }
  public var isEmpty: Bool { bytes.isEmpty }
  /// The secret as UTF-8 text, for APIs that take strings (Z85 keys).
  public var text: String { String(decoding: bytes, as: UTF8.self) }
  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [:]) }
}
