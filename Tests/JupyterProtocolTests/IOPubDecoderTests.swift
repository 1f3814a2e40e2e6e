import ExecutionCore
import Testing

@testable import JupyterProtocol

@Suite struct IOPubDecoderTests {
  private func decode(_ frames: [[UInt8]], signer: MessageSigner = testSigner) -> (
    Result<IOPubMessage, DropReason>, DropCounts
  ) {
    var decoder = IOPubDecoder(signer: signer)
    let result = decoder.decode(TestFrames(frames))
    return (result, decoder.dropped)
  }

  private func expectDropped(
    _ frames: [[UInt8]], _ reason: DropReason, signer: MessageSigner = testSigner,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let (result, dropped) = decode(frames, signer: signer)
    #expect(result == .failure(reason), sourceLocation: sourceLocation)
    #expect(dropped[reason] == 1, sourceLocation: sourceLocation)
    #expect(dropped.total == 1, sourceLocation: sourceLocation)
  }

  // MARK: jupyter_client's messages

  @Test(arguments: SigningFixture.vectors)
  func decodesJupyterClientMessage(vector: SigningVector) throws {
    let (result, dropped) = decode(try vector.wireFrames(), signer: try vector.signer())
    #expect(try result.get() == vector.expectedMessage())
    #expect(dropped.total == 0)
  }

  @Test(arguments: SigningFixture.keyed, 0..<4)
  func tamperedMessageIsBadSignature(vector: SigningVector, part: Int) throws {
    var frames = try vector.wireFrames()
    let index = vector.delimiterIndex + 2 + part
    frames[index][frames[index].count - 1] ^= 0x20
    expectDropped(frames, .badSignature, signer: try vector.signer())
  }

  @Test(arguments: SigningFixture.unsigned)
  func unsignedMessageWithAKeyIsUnsigned(vector: SigningVector) throws {
    expectDropped(try vector.wireFrames(), .unsigned)
  }

  @Test(arguments: SigningFixture.keyed)
  func messageSignedWithAnotherKeyIsBadSignature(vector: SigningVector) throws {
    expectDropped(try vector.wireFrames(), .badSignature)
  }

  @Test(arguments: SigningFixture.unsigned)
  func unsignedDecoderAcceptsAnySignatureFrame(vector: SigningVector) throws {
    // jupyter_client skips verification entirely when the key is empty.
    var frames = try vector.wireFrames()
    frames[vector.delimiterIndex + 1] = bytes("not-a-signature")
    var decoder = IOPubDecoder(signer: try vector.signer())
    #expect(try decoder.decode(TestFrames(frames)).get() == vector.expectedMessage())
    // ...and has no replay history to consult.
    #expect(try decoder.decode(TestFrames(frames)).get() == vector.expectedMessage())
  }

  @Test(arguments: SigningFixture.keyed)
  func sameFramesTwiceAreReplayed(vector: SigningVector) throws {
    let frames = try vector.wireFrames()
    var decoder = IOPubDecoder(signer: try vector.signer())
    #expect(try decoder.decode(TestFrames(frames)).get() == vector.expectedMessage())
    #expect(decoder.decode(TestFrames(frames)) == .failure(.replayed))
    #expect(decoder.decode(TestFrames(frames)) == .failure(.replayed))
    #expect(decoder.dropped[.replayed] == 2)
    #expect(decoder.dropped.total == 2)
  }

  @Test func replayIsJudgedOnTheSignedPartsNotThePrefix() throws {
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"stream","msg_id":"a"}"#),
      prefix: [bytes("stream.stdout")])
    var decoder = IOPubDecoder(signer: testSigner)
    #expect(
      decoder.decode(TestFrames(frames))
        == .success(IOPubMessage(content: .other(msgType: "stream"))))
    var retopiced = frames
    retopiced[0] = bytes("stream.stderr")
    #expect(decoder.decode(TestFrames(retopiced)) == .failure(.replayed))
  }

  @Test func replayHistoryForgetsTheOldestWhenFull() throws {
    var decoder = IOPubDecoder(signer: testSigner, replayHistory: 2)
    let messages = (0..<3).map { index in
      TestFrames(
        signedFrames(testSigner, header: bytes(#"{"msg_type":"stream","msg_id":"m\#(index)"}"#)))
    }
    for message in messages { #expect(decoder.decode(message).succeeded) }
    #expect(decoder.decode(messages[2]) == .failure(.replayed))
    #expect(decoder.decode(messages[1]) == .failure(.replayed))
    #expect(decoder.decode(messages[0]).succeeded)
  }

  // MARK: Framing

  @Test(arguments: 1...5)
  func truncatedMessageIsTooFewFrames(keptAfterDelimiter: Int) throws {
    let vector = try #require(SigningFixture.keyed.first { $0.prefixCount == 1 })
    let frames = try vector.wireFrames()
    let kept = Array(frames.prefix(vector.delimiterIndex + keptAfterDelimiter))
    expectDropped(kept, .tooFewFrames, signer: try vector.signer())
  }

  @Test(arguments: SigningFixture.keyed.filter { $0.prefixCount < 2 })
  func messageWithoutDelimiterIsNoDelimiter(vector: SigningVector) throws {
    var frames = try vector.wireFrames()
    frames.remove(at: vector.delimiterIndex)
    expectDropped(frames, .noDelimiter, signer: try vector.signer())
  }

  @Test func emptyAndAlmostDelimiterMessagesAreNoDelimiter() {
    expectDropped([], .noDelimiter)
    expectDropped([[]], .noDelimiter)
    expectDropped(
      [bytes("<IDS|MSG"), bytes("x"), bytes("{}"), bytes("{}"), bytes("{}"), bytes("{}")],
      .noDelimiter)
    expectDropped([bytes("<IDS|MSG>x")], .noDelimiter)
  }

  @Test func extraBufferFramesAfterContentAreIgnored() throws {
    let frames =
      signedFrames(
        testSigner, header: bytes(#"{"msg_type":"status"}"#),
        content: bytes(#"{"execution_state":"idle"}"#))
      + [bytes("buffer-1"), []]
    #expect(try decode(frames).0.get() == IOPubMessage(content: .status(.idle)))
  }

  // MARK: Signed but malformed

  @Test(arguments: [
    "not json",
    "",
    "null",
    "[]",
    #""status""#,
    "{}",
    #"{"msg_id": "x"}"#,
    #"{"msg_type": 5}"#,
    #"{"msg_type": null}"#,
    #"{"msg_type": "status""#,
    #"{"msg_type": "status"} x"#,
    #"{"msg_type": "status",}"#,
    #"{"msg_type": "st\qtus"}"#,
  ])
  func signedMalformedHeaderIsMalformedHeader(header: String) {
    expectDropped(signedFrames(testSigner, header: bytes(header)), .malformedHeader)
  }

  @Test func signedInvalidUTF8HeaderIsMalformedHeader() {
    let invalid: [[UInt8]] = [
      bytes(#"{"msg_type": "st"#) + [0xff, 0xfe] + bytes(#"tus"}"#),
      bytes(#"{"msg_type": "caf"#) + [0xc3] + bytes(#""}"#),
      bytes(#"{"msg_type": "a\"b"#) + [0xff] + bytes(#""}"#),
      [0xff, 0xfe, 0x7b, 0x7d],
    ]
    for header in invalid {
      expectDropped(signedFrames(testSigner, header: header), .malformedHeader)
    }
  }

  @Test(arguments: ["null", " null\n", ""])
  func nullParentHeaderIsEmpty(parent: String) throws {
    // xeus-python sends `null` parent headers on some IOPub messages.
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"status","date":"2025-01-23T21:23:15Z"}"#),
      parent: bytes(parent), content: bytes(#"{"execution_state":"idle"}"#))
    #expect(
      try decode(frames).0.get()
        == IOPubMessage(
          content: .status(.idle), date: KernelTime(millisecondsSince1970: 1_737_667_395_000)))
  }

  @Test(arguments: ["nope", "[]", #"{"msg_id": "x""#, "nullx"])
  func signedMalformedParentIsMalformedParent(parent: String) {
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"status"}"#), parent: bytes(parent),
      content: bytes(#"{"execution_state":"idle"}"#))
    expectDropped(frames, .malformedParent)
  }

  @Test(arguments: [
    ("execute_input", "{}"),
    ("execute_input", #"{"code": 5, "execution_count": 1}"#),
    ("execute_input", #"{"code": null, "execution_count": 1}"#),
    ("execute_input", "not json"),
    ("execute_input", ""),
    ("status", "{}"),
    ("status", #"{"execution_state": 1}"#),
    ("error", #"{"ename": "E", "evalue": "v", "traceback": "not a list"}"#),
    ("iopub_welcome", "{}"),
    ("iopub_welcome", "[]"),
  ])
  func signedBadContentIsMalformedContent(msgType: String, content: String) {
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"\#(msgType)"}"#), content: bytes(content))
    expectDropped(frames, .malformedContent)
  }

  @Test(arguments: ["stream", "display_data", "execute_result", "comm_msg"])
  func outputContentIsNeverDecoded(msgType: String) throws {
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"\#(msgType)"}"#), parent: bytes("garbage ["),
      content: [0xff, 0x00] + bytes("{{{ not json"))
    #expect(try decode(frames).0.get() == IOPubMessage(content: .other(msgType: msgType)))
  }

  @Test func unknownExecutionStateIsOtherStatus() throws {
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"status"}"#),
      content: bytes(#"{"execution_state":"dead"}"#))
    #expect(try decode(frames).0.get() == IOPubMessage(content: .other(msgType: "status")))
  }

  @Test func shutdownMessagesOfBothKernelFamilies() throws {
    for msgType in ["shutdown_reply", "shutdown"] {
      let frames = signedFrames(
        testSigner, header: bytes(#"{"msg_type":"\#(msgType)"}"#),
        content: bytes(#"{"restart":false}"#))
      #expect(try decode(frames).0.get() == IOPubMessage(content: .shutdown))
    }
  }

  @Test func subshellIdInHeaderWinsOverParent() throws {
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"status","subshell_id":"own"}"#),
      parent: bytes(#"{"msg_id":"p","msg_type":"execute_request","subshell_id":"parent"}"#),
      content: bytes(#"{"execution_state":"busy"}"#))
    #expect(
      try decode(frames).0.get()
        == IOPubMessage(
          content: .status(.busy), parentMsgId: "p", parentMsgType: "execute_request",
          subshellId: "own"))
  }

  @Test func unparsableDateIsNil() throws {
    let frames = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"status","date":"yesterday"}"#),
      content: bytes(#"{"execution_state":"busy"}"#))
    #expect(try decode(frames).0.get() == IOPubMessage(content: .status(.busy)))
  }

  @Test func dropCountsAddUpPerReason() {
    var decoder = IOPubDecoder(signer: testSigner)
    let good = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"status"}"#),
      content: bytes(#"{"execution_state":"busy"}"#))
    var tampered = good
    tampered[5] = bytes(#"{"execution_state":"idle"}"#)
    var unsigned = good
    unsigned[1] = []
    let inputs: [[[UInt8]]] = [
      good, good, good, tampered, unsigned, unsigned, Array(good.prefix(3)),
      Array(good.dropFirst()),
      signedFrames(testSigner, header: bytes("{}")),
    ]
    for frames in inputs { _ = decoder.decode(TestFrames(frames)) }
    var expected = DropCounts()
    expected[.replayed] = 2
    expected[.badSignature] = 1
    expected[.unsigned] = 2
    expected[.tooFewFrames] = 1
    expected[.noDelimiter] = 1
    expected[.malformedHeader] = 1
    #expect(decoder.dropped == expected)
    #expect(decoder.dropped.total == 8)
  }
}

@Suite struct ReplayGuardTests {
  /// Offers each MAC (made from a seed) in turn; returns which were admitted.
  private func admit(_ guardian: inout ReplayGuard, _ seeds: [UInt8]) -> [Bool] {
    seeds.map { seed in guardian.admit(mac: (0..<32).map { seed &+ UInt8($0) }) }
  }

  @Test func secondSightingIsRefused() {
    var guardian = ReplayGuard(capacity: 4)
    #expect(admit(&guardian, [1, 1, 2, 1, 2]) == [true, false, true, false, false])
  }

  @Test func fullHistoryForgetsTheOldestFirst() {
    var guardian = ReplayGuard(capacity: 3)
    #expect(admit(&guardian, [10, 20, 30, 40]) == [true, true, true, true])
    // 10 was evicted by 40; 20, 30 and 40 are still remembered, and refusing them changes nothing.
    #expect(admit(&guardian, [20, 30, 40, 10]) == [false, false, false, true])
    // Admitting 10 again evicted 20, the next oldest.
    #expect(admit(&guardian, [30, 40, 10, 20]) == [false, false, false, true])
  }

  @Test func defaultCapacityIsJupyterClients() {
    #expect(ReplayGuard().capacity == 1 << 16)
    #expect(ReplayGuard(capacity: 0).capacity == 1)
  }
}

extension Result {
  var succeeded: Bool {
    if case .success = self { return true }
    return false
  }
}
