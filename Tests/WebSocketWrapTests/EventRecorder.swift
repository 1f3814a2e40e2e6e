import Foundation
import Synchronization

@testable import WebSocketWrap

/// Collects a client's events (from its service thread) for a test to wait on.
final class EventRecorder: Sendable {
  private let state = Mutex<[(event: WebSocketEvent, at: ContinuousClock.Instant)]>([])

  var events: [WebSocketEvent] { state.withLock { $0.map(\.event) } }
  var texts: [String] {
    events.compactMap { if case .text(let text) = $0 { text } else { nil } }
  }

  func record(_ event: WebSocketEvent) {
    state.withLock { $0.append((event, .now)) }
  }

  /// When the first event matching `predicate` arrived, waiting up to `timeout`.
  @discardableResult
  func wait(
    for what: String, timeout: Duration = .seconds(10), _ predicate: (WebSocketEvent) -> Bool
  ) throws -> ContinuousClock.Instant {
    let deadline = ContinuousClock.now + timeout
    while true {
      // Predicates may read the recorder: test them outside the lock.
      if let hit = state.withLock({ $0 }).first(where: { predicate($0.event) }) { return hit.at }
      guard ContinuousClock.now < deadline else {
        throw TestFailure("timed out waiting for \(what); events: \(events)")
      }
      usleep(5_000)
    }
  }

  func waitConnected() throws { try wait(for: "connected") { $0 == .connected } }

  /// The terminal event, waiting up to `timeout`.
  func terminal(timeout: Duration = .seconds(10)) throws -> WebSocketEvent {
    try wait(for: "the terminal event", timeout: timeout) { $0.isTerminal }
    return events.first { $0.isTerminal } ?? .connected
  }

  func connect(_ url: String, _ options: WebSocketOptions = WebSocketOptions()) throws
    -> WebSocketClient
  {
    try WebSocketClient(url: url, options: options) { [self] in record($0) }
  }
}

/// Open file descriptors and threads of this process.
func processCounts() -> (fds: Int, threads: Int) {
  let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
  let threads =
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1
  return (fds, threads)
}

/// Resident set size of this process in KiB (VmRSS, or another /proc/self/status field).
func residentKiB(_ field: String = "VmRSS") -> Int {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
    return -1
  }
  for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
  }
  return -1
}

/// A TCP port on loopback that nobody listens on (bound, then closed).
func closedPort() throws -> Int {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { throw TestFailure("socket failed") }
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
    }
  }
  guard bound else { throw TestFailure("bind failed") }
  return Int(UInt16(bigEndian: address.sin_port))
}
