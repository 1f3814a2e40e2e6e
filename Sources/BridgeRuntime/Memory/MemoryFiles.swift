import Foundation

/// Small, size-capped reads of the kernel files the memory probe needs
/// (`/proc`, `/sys/fs/cgroup`), and the parsing of their values. Total: a
/// missing file, an unreadable one or a malformed value is nil, never a trap.
enum MemoryFiles {
  /// No file the probe reads is larger (`memory.stat` is not read).
  static let maximumFileBytes = 16 * 1024
  /// The process tree is not walked past this many processes.
  static let maximumProcesses = 1024
  /// v1 reports "no limit" as the largest page-aligned `Int64`; treat
  /// anything from 2^62 bytes up as no limit.
  static let noLimitThreshold: UInt64 = 1 << 62

  /// The file's text, at most `maximumFileBytes`; nil when it cannot be read.
  static func text(at path: String) -> String? {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: maximumFileBytes)
    var filled = 0
    while filled < bytes.count {
      let count = bytes[filled...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      filled += count
    }
    return String(decoding: bytes[..<filled], as: UTF8.self)
  }

  /// A file holding one byte count (`memory.current`); "max" and v1's
  /// "unlimited" are nil.
  static func bytes(at path: String) -> UInt64? {
    guard let text = text(at: path) else { return nil }
    return byteCount(text)
  }

  static func byteCount(_ text: String) -> UInt64? {
    let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let bytes = UInt64(value), bytes < noLimitThreshold else { return nil }
    return bytes
  }

  /// The number after `key` in a `key value` file (`memory.events`, `memory.oom_control`).
  static func keyedValue(_ key: String, at path: String) -> UInt64? {
    text(at: path).flatMap { keyedValue(key, in: $0) }
  }

  static func keyedValue(_ key: String, in text: String) -> UInt64? {
    for line in text.split(separator: "\n") {
      let fields = line.split(whereSeparator: \.isWhitespace)
      if fields.count >= 2, fields[0] == key { return UInt64(fields[1]) }
    }
    return nil
  }

  /// A `Key:   1234 kB` line of `/proc/<pid>/status` text, in bytes.
  static func keyedKilobytes(_ key: String, in text: String) -> UInt64? {
    guard let kilobytes = keyedValue(key, in: text) else { return nil }
    let (bytes, overflow) = kilobytes.multipliedReportingOverflow(by: 1024)
    return overflow ? nil : bytes
  }

  /// The names in a directory (task ids of `/proc/<pid>/task`); empty when unreadable.
  static func entries(of directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).prefix(
      maximumProcesses
    ).map { $0 }
  }
}
