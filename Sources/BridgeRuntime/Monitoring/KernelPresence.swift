import Foundation
import JupyterProtocol

/// Attach mode's sign that a kernel is gone for good, beside its heartbeat: its
/// connection file, and whether anything still listens on its heartbeat endpoint
/// (docs/BEHAVIOUR.md, "Semantics": attach ends once a kernel that was asked to
/// shut down is gone, however long that takes).
public struct KernelPresence: Sendable, Equatable {
  /// The connection file is still there (Jupyter removes it once the kernel is gone).
  public var connectionFileExists: Bool
  /// Nothing has listened on the heartbeat endpoint for two checks in a row: the
  /// kernel's process is gone (a restarted kernel binds the same ports within them).
  public var processGone: Bool

  public init(connectionFileExists: Bool = true, processGone: Bool = false) {
    self.connectionFileExists = connectionFileExists
    self.processGone = processGone
  }
}

/// Checks `KernelPresence` once a second on a thread of its own (never the IOPub
/// thread) and reports each change. The connection file is one `lstat`; the
/// heartbeat endpoint is probed only while `heartbeatLost` is set, so a kernel that
/// answers is never touched.
public final class KernelPresenceWatcher: Sendable {
  private let thread: PeriodicThread
  private let lost = SharedFlag()

  /// Refusals in a row before the process counts as gone.
  static let refusalsToGone = 2

  public init(
    connectionFile: String, connection: ConnectionInfo, interval: Duration = .seconds(1),
    onChange: @escaping @Sendable (KernelPresence) -> Void
  ) {
    let lost = self.lost
    let endpoint = HeartbeatEndpoint(connection)
    thread = PeriodicThread(
      name: "kernel-presence", interval: interval, waitFirst: false,
      state: (reported: KernelPresence(), refusals: 0)
    ) { state in
      if lost.isSet {
        state.refusals =
          endpoint.refusesConnections() ? min(state.refusals + 1, Self.refusalsToGone) : 0
      } else {
        state.refusals = 0
      }
      let now = KernelPresence(
        connectionFileExists: Self.exists(connectionFile),
        processGone: state.refusals >= Self.refusalsToGone)
      if now != state.reported {
        state.reported = now
        onChange(now)
      }
    }
  }

  /// The heartbeat stopped (true) or answers again (false).
  public func heartbeatLost(_ isLost: Bool) { lost.set(isLost) }

  deinit { thread.stop() }

  private static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }
}

/// Where a kernel's heartbeat listens, and a probe of it that cannot trap on
/// whatever the connection file said.
struct HeartbeatEndpoint: Sendable {
  private enum Address: Sendable {
    case tcp(ip: String, port: UInt16)
    case ipc(path: String)
    case unknown
  }
  private let address: Address

  init(_ connection: ConnectionInfo) {
    let port = connection.ports[.hb] ?? 0
    switch connection.transport {
    case .tcp:
      let ip = ["0.0.0.0", "*", ""].contains(connection.ip) ? "127.0.0.1" : connection.ip
      address = UInt16(exactly: port).map { .tcp(ip: ip, port: $0) } ?? .unknown
    case .ipc:
      address = .ipc(path: "\(connection.ip)-\(port)")
    }
  }

  /// True only when the endpoint certainly has no listener (TCP: the connection is
  /// refused; IPC: the socket file is gone). Anything unclear is false: a kernel is
  /// never declared gone on a guess.
  func refusesConnections() -> Bool {
    switch address {
    case .unknown: return false
    case .ipc(let path):
      var info = stat()
      return lstat(path, &info) != 0 && errno == ENOENT
    case .tcp(let ip, let port): return Self.tcpRefuses(ip: ip, port: port)
    }
  }

  private static func tcpRefuses(ip: String, port: UInt16) -> Bool {
    var v4 = sockaddr_in()
    var v6 = sockaddr_in6()
    let family: Int32
    if inet_pton(AF_INET, ip, &v4.sin_addr) == 1 {
      family = AF_INET
      v4.sin_family = sa_family_t(AF_INET)
      v4.sin_port = port.bigEndian
    } else if inet_pton(AF_INET6, ip, &v6.sin6_addr) == 1 {
      family = AF_INET6
      v6.sin6_family = sa_family_t(AF_INET6)
      v6.sin6_port = port.bigEndian
    } else {
      return false
    }
    let fd = socket(
      family,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let started: Int32 =
      family == AF_INET
      ? withUnsafePointer(to: &v4) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      : withUnsafePointer(to: &v6) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
      }
    if started == 0 { return false }
    if errno == ECONNREFUSED { return true }
    guard errno == EINPROGRESS else { return false }
    var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    guard poll(&waiting, 1, 200) == 1 else { return false }
    var failure: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 else { return false }
    return failure == ECONNREFUSED
  }
}
