import Foundation
import Testing

@testable import ZMQWrap

@Suite struct ContextLifetimeTests {
  private func expectFinished(
    _ outcome: ThreadOutcome, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    switch outcome {
    case .finished: break
    case .failed(let error): Issue.record("failed: \(error)", sourceLocation: sourceLocation)
    case .timedOut: Issue.record("did not finish: the context hung", sourceLocation: sourceLocation)
    }
  }

  /// Sockets keep their context alive; the context terminates once the last one goes.
  @Test func contextWithOpenSocketsIsReleasedOnceTheSocketsGo() {
    let outcome = runOnThread(within: 10) {
      for _ in 0..<3 {
        var context: Context? = try Context()
        guard let live = context else { return }
        let publisher = try openSocket(live, .pub)
        let endpoint = try TestTransport.tcp.bind(publisher)
        let subscriber = try openSocket(live, .sub)
        try subscriber.subscribe("")
        try subscriber.connect(endpoint)
        // Our reference goes first: the sockets must still work.
        context = nil
        try awaitSubscription(publisher: publisher, subscriber: subscriber)
        // Messages in flight while the sockets close must not block termination (linger 0).
        for _ in 0..<100 { try publisher.send([Array(repeating: 7, count: 1024)]) }
      }
    }
    expectFinished(outcome)
  }

  @Test func closedSocketWithQueuedMessageDoesNotHangTheContext() throws {
    let box = try closedDealerWithQueuedMessage()
    // The closed socket holds the last reference to its context: releasing it
    // terminates the context, which must not hang.
    expectFinished(runOnThread(within: 10) { box.release() })
  }

  private func closedDealerWithQueuedMessage() throws -> SocketBox {
    let dealer = try openSocket(try Context(), .dealer)
    try dealer.connect("tcp://127.0.0.1:1")  // nobody listens: the message stays queued
    try dealer.send([Array("queued".utf8)])
    dealer.close()
    dealer.close()  // closing twice is harmless
    let error = try #require(throws: ZMQError.self) { try dealer.send([Array("late".utf8)]) }
    #expect(error.code == ENOTSOCK)
    #expect(error.description == "send: Socket operation on non-socket")
    return SocketBox(dealer)
  }
}

/// Hands a socket's last reference to another thread so its release (and the
/// context termination behind it) happens there.
private final class SocketBox: @unchecked Sendable {
  private var socket: Socket?
  init(_ socket: Socket) { self.socket = socket }
  func release() { socket = nil }
}
