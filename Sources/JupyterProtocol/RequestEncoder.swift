import Foundation

/// Builds the signed requests the bridge sends to a kernel
/// (`kernel_info_request`, `interrupt_request` on the control channel).
///
/// Pure: the caller supplies the message id and the date, so the frames are
/// reproducible in tests.
public struct RequestEncoder: Sendable {
  public let signer: MessageSigner
  /// The `session` field of our headers: one id per bridge process.
  public let session: String
  /// The `username` field of our headers.
  public let username: String

  public init(signer: MessageSigner, session: String, username: String = "jupyter-lmk") {
    self.signer = signer
    self.session = session
    self.username = username
  }

  private struct Header: Encodable {
    var msg_id: String
    var username: String
    var session: String
    var date: String
    var msg_type: String
    var version: String
  }

  /// The frames of a request with empty content: delimiter, signature, header,
  /// parent, metadata, content (a DEALER socket adds no identity prefix).
  public func encode(msgType: String, msgId: String, date: String) -> [[UInt8]] {
    let header = Header(
      msg_id: msgId, username: username, session: session, date: date, msg_type: msgType,
      version: "5.3")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let headerBytes = (try? encoder.encode(header)).map { Array($0) } ?? Array("{}".utf8)
    let empty = Array("{}".utf8)
    let signature = signer.signature(headerBytes, empty, empty, empty)
    return [wireDelimiter, signature, headerBytes, empty, empty, empty]
  }
}
