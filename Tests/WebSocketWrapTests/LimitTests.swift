import Foundation
import Synchronization
import Testing

@testable import WebSocketWrap

@Suite struct LimitTests {
  /// Decision: an oversized message is dropped whole and counted, and the connection
  /// stays open (the caller counts malformed input; one bad message is not fatal).
  @Test func oversizedMessageIsDroppedAndCountedAndTheConnectionSurvives() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    var options = WebSocketOptions()
    options.maxMessageBytes = 1 << 20
    let client = try recorder.connect(server.ws("/big?size=\(64 << 20)"), options)
    try recorder.waitConnected()
    let before = residentKiB()
    try recorder.wait(for: "the message after the big one", timeout: .seconds(30)) {
      $0 == .text("after")
    }
    let after = residentKiB()
    #expect(recorder.texts == ["after"])
    #expect(client.statistics.oversizedDropped == 1)
    #expect(after - before < 8 * 1024, "RSS grew by \(after - before) KiB for a 64 MiB message")
    try client.send(text: "still open")
    try recorder.wait(for: "the echo") { $0 == .text("still open") }
    client.close()
    _ = try recorder.terminal()
  }

  @Test func messageJustUnderTheCapIsDelivered() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    var options = WebSocketOptions()
    options.maxMessageBytes = 100_000
    let client = try recorder.connect(server.ws("/big?size=100000"), options)
    try recorder.wait(for: "after") { $0 == .text("after") }
    #expect(recorder.texts.first?.utf8.count == 100_000)
    #expect(client.statistics.oversizedDropped == 0)
    client.close()
    _ = try recorder.terminal()
  }

  @Test func sendsFromManyThreadsAtOnceAllArrive() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    let client = try recorder.connect(server.ws("/echo"))
    try recorder.waitConnected()
    let threads = 8
    let perThread = 200
    let failures = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      for index in 0..<perThread {
        do { try client.send(text: "\(thread)-\(index)") } catch {
          failures.withLock { $0 += 1 }
        }
      }
    }
    #expect(failures.withLock { $0 } == 0)
    try recorder.wait(for: "every echo", timeout: .seconds(20)) { _ in
      recorder.texts.count == threads * perThread
    }
    let expected = Set((0..<threads).flatMap { t in (0..<perThread).map { "\(t)-\($0)" } })
    #expect(Set(recorder.texts) == expected)
    // Each thread's messages keep their order.
    for thread in 0..<threads {
      let mine = recorder.texts.filter { $0.hasPrefix("\(thread)-") }
      #expect(mine == (0..<perThread).map { "\(thread)-\($0)" })
    }
    client.close()
    _ = try recorder.terminal()
  }

  @Test func sendQueueIsBounded() throws {
    let server = try TestServer()
    let recorder = EventRecorder()
    var options = WebSocketOptions()
    options.maxQueuedBytes = 64 * 1024
    let client = try recorder.connect(server.ws("/mute"), options)
    try recorder.wait(for: "muted") { $0 == .text("muted") }
    let chunk = String(repeating: "y", count: 16 * 1024)
    var refused: WebSocketError?
    for _ in 0..<10_000 where refused == nil {
      do { try client.send(text: chunk) } catch let error as WebSocketError { refused = error }
    }
    #expect(refused?.kind == .queueFull)
    client.close()
  }

  @Test func manyConnectCloseCyclesLeakNoDescriptorsOrThreads() throws {
    let server = try TestServer()
    func cycle(_ path: String) throws {
      let recorder = EventRecorder()
      let client = try recorder.connect(server.ws(path))
      try recorder.waitConnected()
      client.close()
      _ = try recorder.terminal()
    }
    func failedCycle() throws {
      let recorder = EventRecorder()
      let client = try recorder.connect(server.ws("/status/401"))
      _ = try recorder.terminal()
      _ = client
    }
    func abandonedCycle() throws {
      // Released while open: deinit aborts and joins.
      let recorder = EventRecorder()
      let client = try recorder.connect(server.ws("/echo"))
      try recorder.waitConnected()
      _ = client
    }
    try cycle("/echo")  // warm up lazily made resources (OpenSSL, the resolver)
    let before = processCounts()
    for index in 0..<60 {
      switch index % 3 {
      case 0: try cycle("/echo")
      case 1: try failedCycle()
      default: try abandonedCycle()
      }
    }
    let after = processCounts()
    // At most as many: other suites run in parallel, and their threads and descriptors may
    // end meanwhile; a leak of 60 cycles would show as growth.
    #expect(after.fds <= before.fds, "fds \(before.fds) → \(after.fds)")
    #expect(after.threads <= before.threads, "threads \(before.threads) → \(after.threads)")
  }
}
