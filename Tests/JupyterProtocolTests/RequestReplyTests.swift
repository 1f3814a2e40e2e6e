import ExecutionCore
import Foundation
import Testing

@testable import JupyterProtocol

@Suite struct RequestReplyTests {
  private static let date = "2025-01-23T21:23:15.387Z"
  /// Every scheme, and an empty key (unsigned, as the spec says).
  static let signers = [
    MessageSigner(scheme: .hmacSHA256, key: Secret("k-256")),
    MessageSigner(scheme: .hmacSHA512, key: Secret("k-512")),
    MessageSigner(scheme: .hmacMD5, key: Secret("k-md5")),
    MessageSigner(scheme: .hmacSHA256, key: Secret("")),
  ]

  @Test(arguments: signers)
  func requestIsSignedAndCarriesItsHeader(signer: MessageSigner) throws {
    let encoder = RequestEncoder(signer: signer, session: "bridge-session")
    let frames = encoder.encode(msgType: "interrupt_request", msgId: "req-1", date: Self.date)
    try #require(frames.count == 6)
    #expect(frames[0] == wireDelimiter)
    #expect(frames[1] == signer.signature(frames[2], frames[3], frames[4], frames[5]))
    #expect(frames[1].isEmpty == !signer.isSigning)
    #expect(frames[3...5].allSatisfy { $0 == bytes("{}") })
    let header = try #require(
      JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: String])
    #expect(
      header == [
        "msg_id": "req-1", "msg_type": "interrupt_request", "session": "bridge-session",
        "date": Self.date, "username": "jupyter-lmk", "version": "5.3",
      ])
  }

  @Test func requestWithSpecialCharactersStillParses() throws {
    let encoder = RequestEncoder(signer: testSigner, session: "s\"/\\é")
    let frames = encoder.encode(msgType: "kernel_info_request", msgId: "id/\"1\"", date: Self.date)
    let header = try #require(
      JSONSerialization.jsonObject(with: Data(frames[2])) as? [String: String])
    #expect(header["session"] == "s\"/\\é")
    #expect(header["msg_id"] == "id/\"1\"")
  }

  /// A kernel's reply: the request's header bytes become its parent header.
  private func reply(to request: [[UInt8]], signer: MessageSigner, content: String) -> [[UInt8]] {
    signedFrames(
      signer,
      header: bytes(
        #"{"msg_id":"reply-1","msg_type":"kernel_info_reply","date":"2025-01-23T21:23:16Z"}"#),
      parent: request[2], content: bytes(content), prefix: [bytes("router-id")])
  }

  @Test(arguments: signers)
  func encodedRequestRoundTripsThroughAReply(signer: MessageSigner) throws {
    let request = RequestEncoder(signer: signer, session: "bridge-session")
      .encode(msgType: "kernel_info_request", msgId: "kinfo-42", date: Self.date)
    let frames = reply(
      to: request, signer: signer,
      content: #"{"status":"ok","implementation":"xeus-python","language_info":{"name":"python"}}"#)
    var session = JupyterSession(signer: signer, sessionId: "bridge-session")
    let decoded = KernelInfoReply.decode(TestFrames(frames), session: &session)
    #expect(
      decoded
        == .success(
          KernelInfoReply(
            languageName: "python", implementation: "xeus-python", inReplyTo: "kinfo-42")))
    let again = KernelInfoReply.decode(TestFrames(frames), session: &session)
    #expect(again == (signer.isSigning ? .failure(.replayed) : decoded))
  }

  @Test func replyWithoutLanguageInfoDecodesEmpty() throws {
    let request = RequestEncoder(signer: testSigner, session: "s")
      .encode(msgType: "kernel_info_request", msgId: "k", date: Self.date)
    var session = JupyterSession(signer: testSigner, sessionId: "s")
    let decoded = KernelInfoReply.decode(
      TestFrames(reply(to: request, signer: testSigner, content: #"{"status":"ok"}"#)),
      session: &session)
    #expect(
      decoded == .success(KernelInfoReply(languageName: "", implementation: "", inReplyTo: "k")))
  }

  @Test func replyRejections() throws {
    let request = RequestEncoder(signer: testSigner, session: "s")
      .encode(msgType: "kernel_info_request", msgId: "k", date: Self.date)
    var session = JupyterSession(signer: testSigner, sessionId: "s")
    func decode(_ frames: [[UInt8]]) -> Result<KernelInfoReply, DropReason> {
      KernelInfoReply.decode(TestFrames(frames), session: &session)
    }
    let otherType = signedFrames(
      testSigner, header: bytes(#"{"msg_type":"status"}"#),
      content: bytes(#"{"execution_state":"idle"}"#))
    #expect(decode(otherType) == .failure(.malformedHeader))
    #expect(
      decode(reply(to: request, signer: testSigner, content: "[1]")) == .failure(.malformedContent))
    var tampered = reply(to: request, signer: testSigner, content: "{}")
    tampered[3] = bytes(#"{"msg_type":"kernel_info_reply"}"#)
    #expect(decode(tampered) == .failure(.badSignature))
    var badParent = request
    badParent[2] = bytes("oops")
    #expect(
      decode(reply(to: badParent, signer: testSigner, content: "{}")) == .failure(.malformedParent))
  }

  @Test(arguments: SigningFixture.replies)
  func decodesJupyterClientReply(vector: ReplyVector) throws {
    let signer = try vector.signer()
    var session = JupyterSession(signer: signer, sessionId: "s")
    let decoded = KernelInfoReply.decode(TestFrames(try vector.wireFrames()), session: &session)
    #expect(
      decoded
        == .success(
          KernelInfoReply(
            languageName: vector.expected.languageName,
            implementation: vector.expected.implementation,
            inReplyTo: vector.expected.inReplyTo)))
    // On IOPub such a message would be of no interest, but still verified.
    var decoder = IOPubDecoder(signer: signer)
    #expect(
      decoder.decode(TestFrames(try vector.wireFrames()))
        == .success(IOPubMessage(content: .other(msgType: "kernel_info_reply"))))
  }
}

extension MessageSigner: CustomTestStringConvertible {
  public var testDescription: String { isSigning ? "signing" : "unsigned" }
}
