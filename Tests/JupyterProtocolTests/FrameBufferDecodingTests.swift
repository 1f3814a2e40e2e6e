import BridgeRuntime
import ExecutionCore
import Testing
import ZMQWrap

@testable import JupyterProtocol

/// The receive loop decodes straight from libzmq's buffers (`FrameBuffer`), reused per message.
@Suite struct FrameBufferDecodingTests {
  @Test func decodesJupyterClientMessagesFromAReusedFrameBuffer() throws {
    let context = try Context()
    let receiver = try context.socket(.pair)
    try receiver.setLinger(milliseconds: 0)
    let endpoint = "inproc://frame-buffer-decoding"
    try receiver.bind(endpoint)
    let sender = try context.socket(.pair)
    try sender.setLinger(milliseconds: 0)
    try sender.connect(endpoint)

    let vectors = SigningFixture.vectors
    try #require(!vectors.isEmpty)
    let buffer = FrameBuffer(maxFrames: 16)
    var poller = Poller()
    poller.addReadable(receiver)
    var decoded: [Result<IOPubMessage, DropReason>] = []
    for vector in vectors {
      try sender.send(try vector.wireFrames())
      try #require(try poller.poll(timeoutMilliseconds: 5000) == 1)
      try #require(try receiver.receive(into: buffer, dontWait: true))
      var decoder = IOPubDecoder(signer: try vector.signer())
      decoded.append(decoder.decode(buffer))
    }
    // Every result was taken before the buffer was reused: none refers into it.
    for (vector, result) in zip(vectors, decoded) {
      #expect(try result.get() == vector.expectedMessage(), "\(vector.name)")
    }
  }
}
