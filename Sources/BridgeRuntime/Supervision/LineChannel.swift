import Foundation
import Synchronization

/// One end of the socket pair that carries `MonitorLink` lines between the
/// supervisor and its monitor process (the monitor has it as its stdin).
///
/// Reading happens on a thread of its own (`startReading`), which delivers
/// each complete line and then the end of the stream; lines longer than
/// `MonitorLink.maximumLineLength` are skipped, so a peer that goes wrong
/// cannot make this end hold unbounded memory. Sending is thread-safe and
/// never raises SIGPIPE (`MSG_NOSIGNAL`): a dead peer is a false return.
final class LineChannel: Sendable {
  let fd: Int32
  /// Held while a line is written, so lines from two threads never interleave.
  private let sending = Mutex(())

  init(fd: Int32) { self.fd = fd }

  /// A connected pair: the first end for this process, the second for the child.
  static func pair() throws -> (LineChannel, Int32) {
    var fds: [Int32] = [0, 0]
    guard
      socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0
    else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    return (LineChannel(fd: fds[0]), fds[1])
  }

  /// Sends `line` and a newline; false when the peer is gone.
  @discardableResult
  func send(_ line: String) -> Bool {
    let bytes = Array((line + "\n").utf8)
    return sending.withLock { _ in
      var offset = 0
      while offset < bytes.count {
        let sent = bytes[offset...].withUnsafeBytes {
          Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        if sent < 0 && errno == EINTR { continue }
        guard sent > 0 else { return false }
        offset += sent
      }
      return true
    }
  }

  /// Starts the reader thread: `onLine` for each line, then `onEnd` once.
  func startReading(
    name: String, onLine: @escaping @Sendable (Substring) -> Void,
    onEnd: @escaping @Sendable () -> Void
  ) {
    let fd = self.fd
    let thread = Thread {
      var pending: [UInt8] = []
      var skipping = false
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        for byte in buffer[..<count] {
          if byte == UInt8(ascii: "\n") {
            if !skipping { onLine(Substring(String(decoding: pending, as: UTF8.self))) }
            pending.removeAll(keepingCapacity: true)
            skipping = false
          } else if pending.count < MonitorLink.maximumLineLength {
            pending.append(byte)
          } else {
            skipping = true
          }
        }
      }
      onEnd()
    }
    thread.name = name
    thread.start()
  }

  /// Shuts the connection down: the peer reads the end of the stream, and
  /// this end's reader thread returns.
  func shutDown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
}
