import Foundation
import Testing

@testable import ZMQWrap

/// Where a test binds: a unique inproc name, or loopback TCP with a port libzmq picks.
enum TestTransport: String, CaseIterable, Sendable {
  case inproc, tcp

  /// Binds `socket` and returns the endpoint to connect to.
  func bind(_ socket: Socket) throws -> String {
    switch self {
    case .inproc: try socket.bind("inproc://test-\(UUID().uuidString)")
    case .tcp: try socket.bind("tcp://127.0.0.1:*")
    }
    return try socket.lastEndpoint()
  }
}

/// Opens a socket that drops unsent messages on close, so a test never blocks context termination.
func openSocket(_ context: Context, _ type: SocketType) throws -> Socket {
  let socket = try context.socket(type)
  try socket.setLinger(milliseconds: 0)
  return socket
}

/// Waits up to `milliseconds` for a message; nil when none came.
func receive(_ socket: Socket, within milliseconds: Int = 5000) throws -> [[UInt8]]? {
  var poller = Poller()
  poller.addReadable(socket)
  guard try poller.poll(timeoutMilliseconds: milliseconds) > 0 else { return nil }
  return try socket.receiveMultipart(dontWait: true)
}

let probe: [[UInt8]] = [Array("probe".utf8)]

/// Publishes probes until the subscriber sees one, so the subscription has
/// reached the publisher (PUB drops messages for subscribers it does not know yet).
func awaitSubscription(publisher: Socket, subscriber: Socket) throws {
  let deadline = ContinuousClock.now.advanced(by: .seconds(10))
  while ContinuousClock.now < deadline {
    try publisher.send(probe)
    if try receive(subscriber, within: 20) == probe { return }
  }
  throw SubscriptionTimeout()
}

struct SubscriptionTimeout: Error {}

/// The next message that is not a probe left over from `awaitSubscription`.
func receiveSkippingProbes(_ socket: Socket) throws -> [[UInt8]]? {
  while let message = try receive(socket) {
    if message != probe { return message }
  }
  return nil
}

/// How a body run on its own thread ended.
enum ThreadOutcome {
  case finished
  case failed(any Error)
  case timedOut
}

/// Runs `body` on its own thread and waits at most `seconds` for it: a call
/// that hangs (as `zmq_ctx_term` does with open sockets) fails the test
/// instead of hanging the run.
func runOnThread(within seconds: Double, _ body: @escaping @Sendable () throws -> Void)
  -> ThreadOutcome
{
  final class Box: @unchecked Sendable {
    let lock = NSLock()
    var error: (any Error)?
  }
  let box = Box()
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    do { try body() } catch {
      box.lock.withLock { box.error = error }
    }
    done.signal()
  }
  thread.start()
  guard done.wait(timeout: .now() + seconds) == .success else { return .timedOut }
  return box.lock.withLock { box.error.map { .failed($0) } ?? .finished }
}
