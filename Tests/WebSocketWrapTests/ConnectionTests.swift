import Foundation
import Testing

@testable import WebSocketWrap

@Suite struct ConnectionTests {
  @Test func echoRoundTripThenLocalClose() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    let client = try recorder.connect(server.ws("/echo"))
    try recorder.waitConnected()
    try client.send(text: "hello ✓")
    try client.send(binary: [0, 1, 2, 255])
    try recorder.wait(for: "the echo") { $0 == .text("hello ✓") }
    try recorder.wait(for: "the binary echo") { $0 == .binary([0, 1, 2, 255]) }
    client.close(code: 1000, reason: "done")
    #expect(
      try recorder.terminal() == .closed(WebSocketClose(code: 1000, reason: "", byPeer: false)))
    #expect(throws: WebSocketError.self) { try client.send(text: "late") }
    #expect(client.statistics.messagesSent == 2)
    #expect(client.statistics.messagesReceived == 2)
  }

  @Test func serverInitiatedMessagesArriveInOrder() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    let client = try recorder.connect(server.ws("/push?count=5"))
    try recorder.wait(for: "five pushes") { _ in recorder.texts.count == 5 }
    #expect(recorder.texts == (0..<5).map { "push \($0)" })
    client.close()
    _ = try recorder.terminal()
  }

  @Test func serverCloseCarriesCodeAndReason() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    let client = try recorder.connect(server.ws("/close?code=4001&reason=going%20away"))
    #expect(
      try recorder.terminal()
        == .closed(WebSocketClose(code: 4001, reason: "going away", byPeer: true)))
    #expect(recorder.events.first == .connected)
    _ = client
  }

  @Test func fragmentedMessageIsJoined() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    let client = try recorder.connect(server.ws("/fragmented"))
    try recorder.wait(for: "the message") { $0 == .text("frag-mented") }
    client.close()
    _ = try recorder.terminal()
  }

  @Test func extraHeadersAreSent() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    var options = WebSocketOptions()
    options.headers = [("X-Test-Header", "value 1"), ("User-Agent", "jupyter-lmk-test")]
    let client = try recorder.connect(server.ws("/headers"), options)
    try recorder.wait(for: "the headers") { _ in !recorder.texts.isEmpty }
    let data = Data(recorder.texts[0].utf8)
    let headers = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
    #expect(headers["x-test-header"] == "value 1")
    #expect(headers["user-agent"] == "jupyter-lmk-test")
    #expect(headers["host"] == "127.0.0.1:\(server.wsPort)")
    client.close()
    _ = try recorder.terminal()
  }

  @Test func sendBeforeTheConnectionIsOpenThrowsNotOpen() throws {
    let port = try closedPort()
    let recorder = EventRecorder()
    let client = try recorder.connect("ws://127.0.0.1:\(port)/")
    let error = try #require(throws: WebSocketError.self) { try client.send(text: "early") }
    #expect(error.kind == .notOpen)
    _ = try recorder.terminal()
  }

  @Test func streamFinishesAfterTheTerminalEvent() async throws {
    let server = try TestServer()
    let (client, events) = try WebSocketClient.connect(url: server.ws("/push?count=2"))
    var seen: [WebSocketEvent] = []
    for await event in events {
      seen.append(event)
      if seen.count == 3 { client.close(code: 4000, reason: "bye") }
    }
    #expect(seen.prefix(3) == [.connected, .text("push 0"), .text("push 1")])
    #expect(seen.last == .closed(WebSocketClose(code: 4000, reason: "", byPeer: false)))
  }

  /// Dropping the last reference from inside the handler (on the service thread)
  /// must neither deadlock nor deliver later events.
  @Test func releasingTheClientFromItsOwnHandlerDoesNotDeadlock() throws {
    let server = try TestServer()
    let holder = ClientHolder()
    let recorder = EventRecorder()
    holder.client = try WebSocketClient(url: server.ws("/push?count=3")) { event in
      recorder.record(event)
      if case .text = event { holder.client = nil }
    }
    try recorder.wait(for: "a push") { if case .text = $0 { true } else { false } }
    let before = recorder.events.count
    try waitUntil("the service thread is gone") { processCounts().threads <= holder.threadsAtStart }
    #expect(recorder.events.count == before)
  }
}

final class ClientHolder: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: WebSocketClient?
  let threadsAtStart = processCounts().threads
  var client: WebSocketClient? {
    get { lock.withLock { stored } }
    set {
      let old = lock.withLock { () -> WebSocketClient? in
        let old = stored
        stored = newValue
        return old
      }
      _ = old  // released outside the lock
    }
  }
}

func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) throws {
  let deadline = ContinuousClock.now + timeout
  while !condition() {
    guard ContinuousClock.now < deadline else { throw TestFailure("timed out: \(what)") }
    usleep(5_000)
  }
}
