import Foundation

/// An INI file as Python's `configparser` reads it, edited line by line so that every
/// section, key and comment we do not touch survives a rewrite unchanged (the official
/// client, other profiles and the user's own notes share `~/.lmk/config`).
public struct INIDocument: Sendable, Equatable {
  private var lines: [String]

  public init(text: String) {
    var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    if parts.last == "" { parts.removeLast() }
    lines = parts
  }

  /// The file's text, always ending with a newline.
  public var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

  /// The value of `key` in `[section]` (keys compare case-insensitively, as configparser).
  public func value(section: String, key: String) -> String? {
    guard let body = bodyRange(of: section) else { return nil }
    for index in body {
      if let (name, value) = Self.entry(lines[index]), name == key.lowercased() { return value }
    }
    return nil
  }

  /// Sets `key` in `[section]`, replacing it in place or appending it to the section
  /// (creating the section at the end of the file when missing).
  public mutating func set(section: String, key: String, value: String) {
    let line = "\(key) = \(value)"
    guard let body = bodyRange(of: section) else {
      if let last = lines.last, !last.trimmingCharacters(in: .whitespaces).isEmpty {
        lines.append("")
      }
      lines.append("[\(section)]")
      lines.append(line)
      return
    }
    if let index = body.first(where: { Self.entry(lines[$0])?.0 == key.lowercased() }) {
      lines[index] = line
      return
    }
    var insertAt = body.upperBound
    while insertAt > body.lowerBound,
      lines[insertAt - 1].trimmingCharacters(in: .whitespaces).isEmpty
    {
      insertAt -= 1
    }
    lines.insert(line, at: insertAt)
  }

  /// Removes `key` from `[section]`; the section header stays.
  public mutating func remove(section: String, key: String) {
    guard let body = bodyRange(of: section) else { return }
    lines.removeAll(at: body.filter { Self.entry(lines[$0])?.0 == key.lowercased() })
  }

  /// Indices of the lines after `[section]`'s header up to the next header.
  private func bodyRange(of section: String) -> Range<Int>? {
    guard let header = lines.firstIndex(where: { Self.sectionName($0) == section }) else {
      return nil
    }
    let end =
      lines[(header + 1)...].firstIndex(where: { Self.sectionName($0) != nil }) ?? lines.count
    return (header + 1)..<end
  }

  private static func sectionName(_ line: String) -> String? {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") else { return nil }
    return String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
  }

  private static func entry(_ line: String) -> (String, String)? {
    guard let first = line.first, !first.isWhitespace, first != "#", first != ";", first != "["
    else {
      return nil
    }
    guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
    let name = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
    let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
    return (name, value)
  }
}

extension Array {
  fileprivate mutating func removeAll(at indices: [Int]) {
    for index in indices.sorted(by: >) { remove(at: index) }
  }
}
