import Testing

@testable import ZMQWrap

@Suite struct FrameBufferTests {
  private func pair() throws -> (context: Context, sender: Socket, receiver: Socket) {
    let context = try Context()
    let receiver = try openSocket(context, .pair)
    let endpoint = try TestTransport.inproc.bind(receiver)
    let sender = try openSocket(context, .pair)
    try sender.connect(endpoint)
    return (context, sender, receiver)
  }

  private func frames(_ buffer: FrameBuffer) -> [[UInt8]] {
    (0..<buffer.count).map { Array(buffer[$0]) }
  }

  @Test func longMessageKeepsItsFirstFramesAndTheNextOneIsIntact() throws {
    let (_, sender, receiver) = try pair()
    let long = (0..<10).map { [UInt8($0), UInt8($0)] }
    let next: [[UInt8]] = [Array("next".utf8), []]
    try sender.send(long)
    try sender.send(next)

    let buffer = FrameBuffer(maxFrames: 3)
    #expect(try receiver.receive(into: buffer))
    #expect(buffer.truncated)
    #expect(buffer.count == 3)
    #expect(frames(buffer) == Array(long.prefix(3)))

    #expect(try receiver.receive(into: buffer))
    #expect(!buffer.truncated)
    #expect(frames(buffer) == next)
  }

  @Test(arguments: [1, 2, 3])
  func messageOfExactlyMaxFramesIsNotTruncated(frameCount: Int) throws {
    let (_, sender, receiver) = try pair()
    let message = (0..<frameCount).map { [UInt8($0)] }
    try sender.send(message)
    let buffer = FrameBuffer(maxFrames: frameCount)
    #expect(try receiver.receive(into: buffer))
    #expect(!buffer.truncated)
    #expect(frames(buffer) == message)
  }

  @Test func maxFramesIsAtLeastOne() {
    #expect(FrameBuffer(maxFrames: 0).maxFrames == 1)
  }

  @Test func dontWaitOnAnEmptySocketReturnsNothing() throws {
    let (_, _, receiver) = try pair()
    let buffer = FrameBuffer()
    #expect(try receiver.receive(into: buffer, dontWait: true) == false)
    #expect(buffer.count == 0)
    #expect(try receiver.receiveMultipart(dontWait: true) == nil)
  }

  @Test func dontWaitReturnsAWaitingMessage() throws {
    let (_, sender, receiver) = try pair()
    try sender.send([Array("a".utf8), Array("b".utf8)])
    // Wait for it to arrive, then take it without blocking.
    var poller = Poller()
    poller.addReadable(receiver)
    #expect(try poller.poll(timeoutMilliseconds: 5000) == 1)
    #expect(try receiver.receiveMultipart(dontWait: true) == [Array("a".utf8), Array("b".utf8)])
  }
}
