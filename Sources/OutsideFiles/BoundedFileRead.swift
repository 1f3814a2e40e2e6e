import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a whole file that came from outside (credentials, a connection file, an outbox entry)
/// without letting it cost unbounded memory or block: the size is capped, and a FIFO,
/// device, socket or folder where a regular file belongs is an error that says what it
/// is. FIFOs are opened with `O_NONBLOCK` (after a `stat` already refused them), so a
/// FIFO with no writer never hangs the caller.
public enum BoundedFileRead {
  /// Why a file could not be read; `description` is one line naming the file.
  public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
      case missing
      /// Exists but is not a regular file: `kind` is "a FIFO", "a character device", "a directory"…
      case notRegularFile(kind: String)
      case tooLarge(limit: Int)
      case unreadable(String)
    }

    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
      self.path = path
      self.reason = reason
    }

    public var description: String { "\(path): \(problem)" }

    /// The reason alone, for messages that name the file themselves.
    public var problem: String {
      switch reason {
      case .missing: return "no such file"
      case .notRegularFile(let kind): return "it is \(kind), not a regular file"
      case .tooLarge(let limit):
        return "larger than \(BoundedFileRead.describe(bytes: limit)); refusing to read it"
      case .unreadable(let message): return message
      }
    }
  }

  /// The whole content of the regular file at `path` (symlinks followed), at most `limit` bytes.
  public static func contents(ofRegularFile path: String, limit: Int) throws -> Data {
    var info = stat()
    guard stat(path, &info) == 0 else { throw failure(path, errno: errno) }
    if let kind = OutsideFile.notRegular(mode: info.st_mode) {
      throw Failure(path: path, reason: .notRegularFile(kind: kind))
    }
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { throw failure(path, errno: errno) }
    defer { close(fd) }
    // The path may have been swapped between stat and open: check what was opened.
    guard fstat(fd, &info) == 0 else { throw failure(path, errno: errno) }
    if let kind = OutsideFile.notRegular(mode: info.st_mode) {
      throw Failure(path: path, reason: .notRegularFile(kind: kind))
    }
    let limit = max(0, limit)
    if info.st_size > limit { throw Failure(path: path, reason: .tooLarge(limit: limit)) }
    // The file may grow while it is read: stop as soon as it passes the limit.
    var data = Data()
    data.reserveCapacity(min(limit, Int(clamping: info.st_size)))
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n == 0 { break }
      if n < 0 {
        if errno == EINTR { continue }
        throw failure(path, errno: errno)
      }
      if n > limit - data.count { throw Failure(path: path, reason: .tooLarge(limit: limit)) }
      data.append(contentsOf: chunk[..<n])
    }
    return data
  }

  private static func failure(_ path: String, errno code: Int32) -> Failure {
    if code == ENOENT || code == ENOTDIR { return Failure(path: path, reason: .missing) }
    return Failure(path: path, reason: .unreadable(String(cString: strerror(code))))
  }

  static func describe(bytes: Int) -> String {
    if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
  }
}
