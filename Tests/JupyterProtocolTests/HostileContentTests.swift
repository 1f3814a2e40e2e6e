import ExecutionCore
import Testing

@testable import JupyterProtocol

/// Signed content a hostile or sloppy kernel sends: strange execution counts and
/// invalid UTF-8 (docs/BEHAVIOUR.md, "Text"; RELIABILITY.md). None is a trap, and no error is dropped.
@Suite struct HostileContentTests {
  private func decode(_ msgType: String, content: [UInt8], parent: String = #"{"msg_id":"p"}"#)
    -> Result<IOPubMessage, DropReason>
  {
    var decoder = IOPubDecoder(signer: testSigner)
    return decoder.decode(
      TestFrames(
        signedFrames(
          testSigner, header: bytes(#"{"msg_type":"\#(msgType)"}"#), parent: bytes(parent),
          content: content)))
  }

  private func executionCount(_ json: String) throws -> Int {
    let content = bytes(#"{"code": "x = 1", "execution_count": \#(json)}"#)
    guard
      case .executeInput(let code, let count) = try decode("execute_input", content: content)
        .get().content
    else {
      Issue.record("not an execute_input")
      return -1
    }
    #expect(code == "x = 1")
    return count
  }

  // MARK: execution_count

  @Test(
    arguments: [
      ("3", 3), ("0", 0), ("2147483647", 2_147_483_647), (#""3""#, 3), (#"" 7 ""#, 0), ("3.0", 3),
      ("3.5", 0), ("1e30", 0), ("-1e30", 0), ("9223372036854775808", 0),
      ("9223372036854775807", 0), ("2147483648", 0), ("-1", 0), ("true", 0), ("false", 0),
      ("null", 0), (#""three""#, 0), (#""99999999999999999999""#, 0), ("[]", 0), ("{}", 0),
      ("1e-300", 0), ("-0", 0),
    ] as [(String, Int)])
  func executionCountIsAcceptedOrUnknown(json: String, expected: Int) throws {
    #expect(try executionCount(json) == expected)
  }

  @Test func missingExecutionCountIsUnknown() throws {
    let content = bytes(#"{"code": "x"}"#)
    #expect(
      try decode("execute_input", content: content).get().content
        == .executeInput(code: "x", executionCount: 0))
  }

  // MARK: invalid UTF-8

  /// What jupyter_client sends for `os.fsdecode(b'data-\xff.csv')`: the surrogate-escaped byte, raw.
  static let invalid: [UInt8] = [0xff]

  @Test func errorWithInvalidUTF8IsDecodedWithReplacementCharacters() throws {
    let content =
      bytes(#"{"ename": "Value"#) + [0xc3] + bytes(#"Error", "evalue": "cannot open data-"#)
      + Self.invalid + bytes(#".csv", "traceback": ["\u001b[31mValueError\u001b[0m: data-"#)
      + Self.invalid + bytes(#"", "ok"]}"#)
    let message = try decode("error", content: content).get()
    #expect(message.parentMsgId == "p")
    #expect(
      message.content
        == .error(
          ename: "Value\u{FFFD}Error", evalue: "cannot open data-\u{FFFD}.csv",
          traceback: ["\u{1B}[31mValueError\u{1B}[0m: data-\u{FFFD}", "ok"]))
  }

  @Test func executeInputWithInvalidUTF8CodeIsDecoded() throws {
    let content =
      bytes(#"{"code": "print('"#) + [0xed, 0xa0, 0x80] + bytes(#"')", "execution_count": 4}"#)
    let message = try decode("execute_input", content: content).get()
    guard case .executeInput(let code, let count) = message.content else {
      Issue.record("not an execute_input: \(message)")
      return
    }
    #expect(count == 4)
    #expect(code.hasPrefix("print('") && code.hasSuffix("')") && code.contains("\u{FFFD}"))
  }

  @Test func parentHeaderWithInvalidUTF8IsRepairedNotDropped() throws {
    let parent =
      bytes(#"{"msg_id": "id-"#) + Self.invalid + bytes(#"", "msg_type": "execute_request"}"#)
    var decoder = IOPubDecoder(signer: testSigner)
    let result = decoder.decode(
      TestFrames(
        signedFrames(
          testSigner, header: bytes(#"{"msg_type":"error"}"#), parent: parent,
          content: bytes(#"{"ename": "E", "evalue": "v", "traceback": []}"#))))
    #expect(try result.get().parentMsgId == "id-\u{FFFD}")
  }

  @Test func hugeIdsAreMalformedSoTrackingStaysSmall() throws {
    let long = String(repeating: "i", count: HeaderFields.maximumFieldBytes + 1)
    let content = bytes(#"{"code": "x", "execution_count": 1}"#)
    #expect(
      decode("execute_input", content: content, parent: #"{"msg_id": "\#(long)"}"#)
        == .failure(.malformedParent))
    #expect(
      decode(
        "execute_input", content: content, parent: #"{"msg_id": "p", "subshell_id": "\#(long)"}"#)
        == .failure(.malformedParent))
    // Other long fields are skipped, not refused.
    #expect(
      try decode(
        "execute_input", content: content, parent: #"{"msg_id": "p", "username": "\#(long)"}"#
      )
      .get().parentMsgId == "p")
    let fits = String(repeating: "i", count: HeaderFields.maximumFieldBytes)
    #expect(
      try decode("execute_input", content: content, parent: #"{"msg_id": "\#(fits)"}"#).get()
        .parentMsgId == fits)
  }

  @Test func invalidUTF8OutsideStringsIsStillMalformed() {
    let content = bytes(#"{"ename": "E", "evalue": "v"}"#) + Self.invalid
    #expect(decode("error", content: content) == .failure(.malformedContent))
  }

  @Test func statusWithoutExecutionStateIsDroppedNotATrap() {
    #expect(decode("status", content: bytes(#"{}"#)) == .failure(.malformedContent))
    #expect(
      decode("status", content: bytes(#"{"execution_state": null}"#))
        == .failure(.malformedContent))
  }

  @Test func overDeepContentIsDropped() {
    let deep =
      bytes(#"{"ename": "E", "evalue": "v", "traceback": "#)
      + Array(repeating: UInt8(ascii: "["), count: 100_000)
      + Array(repeating: UInt8(ascii: "]"), count: 100_000) + bytes("}")
    #expect(decode("error", content: deep) == .failure(.malformedContent))
  }
}
