import ExecutionCore
import Foundation
import Testing

@testable import JupyterProtocol

@Suite struct JupyterSessionTests {
  private static let date = "2025-01-23T21:23:15.387Z"

  /// The kernel's answer to `request`: its header becomes the reply's parent header.
  private func reply(
    to request: [[UInt8]], signer: MessageSigner = testSigner, id: String
  ) -> TestFrames {
    TestFrames(
      signedFrames(
        signer,
        header: bytes(#"{"msg_id":"\#(id)","msg_type":"kernel_info_reply"}"#),
        parent: request[2], content: bytes(#"{"language_info":{"name":"python"}}"#),
        prefix: [bytes("router-id")]))
  }

  private func python(inReplyTo msgId: String) -> Result<KernelInfoReply, DropReason> {
    .success(KernelInfoReply(languageName: "python", implementation: "", inReplyTo: msgId))
  }

  @Test func signsARequestAndVerifiesItsReply() throws {
    var session = JupyterSession(signer: testSigner, sessionId: "bridge-session")
    let request = session.request(msgType: "kernel_info_request", msgId: "k-1", date: Self.date)
    try #require(request.count == 6)
    #expect(request[1] == testSigner.signature(request[2], request[3], request[4], request[5]))
    let header = try #require(
      JSONSerialization.jsonObject(with: Data(request[2])) as? [String: String])
    #expect(header["session"] == "bridge-session")
    #expect(header["username"] == "jupyter-lmk")
    let decoded = KernelInfoReply.decode(reply(to: request, id: "r-1"), session: &session)
    #expect(decoded == python(inReplyTo: "k-1"))
  }

  @Test func refusesAReplayAcrossCalls() {
    var session = JupyterSession(signer: testSigner, sessionId: "s")
    let first = session.request(msgType: "kernel_info_request", msgId: "k-1", date: Self.date)
    let firstReply = reply(to: first, id: "r-1")
    let answered = KernelInfoReply.decode(firstReply, session: &session)
    #expect(answered == python(inReplyTo: "k-1"))
    // A second call on the same session: its own reply is taken, the first one replayed is not.
    let second = session.request(msgType: "kernel_info_request", msgId: "k-2", date: Self.date)
    let replayed = KernelInfoReply.decode(firstReply, session: &session)
    #expect(replayed == .failure(.replayed))
    let secondAnswer = KernelInfoReply.decode(reply(to: second, id: "r-2"), session: &session)
    #expect(secondAnswer == python(inReplyTo: "k-2"))
  }

  @Test func aReplySignedWithAnotherKeyIsRefused() {
    var session = JupyterSession(signer: testSigner, sessionId: "s")
    let request = session.request(msgType: "kernel_info_request", msgId: "k", date: Self.date)
    let other = MessageSigner(scheme: .hmacSHA256, key: Secret("another-key"))
    let decoded = KernelInfoReply.decode(
      reply(to: request, signer: other, id: "r"), session: &session)
    #expect(decoded == .failure(.badSignature))
  }
}
