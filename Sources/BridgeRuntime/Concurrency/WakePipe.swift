import Foundation

/// A non-blocking pipe that wakes a thread blocked in `zmq_poll`.
///
/// Writing a byte is thread-safe and async-signal-safe, so any thread (or a
/// signal handler) can wake the receive loop without touching its sockets.
public final class WakePipe: Sendable {
  public let readEnd: Int32
  private let writeEnd: Int32

  public init() throws {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    for fd in fds {
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    readEnd = fds[0]
    writeEnd = fds[1]
  }

  deinit {
    close(readEnd)
    close(writeEnd)
  }

  /// Wakes the reader; a full pipe already means a wake is pending.
  public func wake() {
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)
  }

  /// Empties the pipe after a wake-up.
  public func drain() {
    var buffer = [UInt8](repeating: 0, count: 64)
    while read(readEnd, &buffer, buffer.count) > 0 {}
  }
}
