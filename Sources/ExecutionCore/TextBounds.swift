/// Bounding and cleaning of kernel-supplied text before it reaches LMK.
///
/// Cell sources, error values and tracebacks are outside data of any size;
/// everything the core keeps or sends is cut to a documented limit.
enum TextBounds {
  /// Marker appended where text was cut, so a reader knows something is missing.
  static let truncationMarker = "… [truncated]"

  /// `text` cut to at most `limit` characters (marker included) when it is longer.
  static func truncated(_ text: String, to limit: Int) -> String {
    guard let cut = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex),
      cut != text.endIndex
    else { return text }
    let keep = max(0, limit - truncationMarker.count)
    let end = text.index(text.startIndex, offsetBy: keep)
    return String(text[..<end]) + truncationMarker
  }

  /// `text` cut to at most `limit` characters (marker included) keeping its end.
  static func truncatedKeepingEnd(_ text: String, to limit: Int) -> String {
    guard let cut = text.index(text.endIndex, offsetBy: -limit, limitedBy: text.startIndex),
      cut != text.startIndex
    else { return text }
    let keep = max(0, limit - truncationMarker.count)
    let start = text.index(text.endIndex, offsetBy: -keep)
    return truncationMarker + String(text[start...])
  }

  /// `text` without ANSI escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL/ST`,
  /// `ESC` + intermediates + final, two-character `ESC x`): tracebacks are coloured, notifications are not terminals.
  static func strippingANSI(_ text: String) -> String {
    guard text.unicodeScalars.contains("\u{1B}") else { return text }
    var out = String.UnicodeScalarView()
    var scalars = text.unicodeScalars.makeIterator()
    while let s = scalars.next() {
      guard s == "\u{1B}" else {
        out.append(s)
        continue
      }
      switch scalars.next() {
      case "["?:
        // Parameters and intermediates until a final byte in 0x40...0x7E.
        while let c = scalars.next(), !(0x40...0x7E).contains(c.value) {}
      case "]"?:
        // Operating system command until BEL or ESC \.
        while let c = scalars.next(), c != "\u{07}" {
          if c == "\u{1B}" {
            _ = scalars.next()
            break
          }
        }
      case let c? where (0x20...0x2F).contains(c.value):
        // nF sequences (e.g. `ESC ( B`): intermediates, then one final byte.
        while let d = scalars.next(), (0x20...0x2F).contains(d.value) {}
      default:
        break
      }
    }
    return String(out)
  }
}
