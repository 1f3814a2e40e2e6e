import Foundation

/// The bridge's side of a Jupyter session, as jupyter_client's `Session`: built
/// once from a connection file, it signs the requests we send and verifies (and
/// remembers) the replies and broadcasts we receive.
///
/// Public because the runtime's channels (IOPub, control) each hold one. A value:
/// each holder's copy keeps its own replay history, so the IOPub thread needs no
/// lock and the control channel keeps its history from one request to the next.
public struct JupyterSession: Sendable {
  /// The HMAC key and scheme from the connection file.
  public let signer: MessageSigner
  /// The `session` field of our request headers: one id per bridge process.
  public let sessionId: String
  /// The `username` field of our request headers.
  public let username: String
  private var replayGuard: ReplayGuard

  /// A session for the kernel the connection file describes, with a new session id.
  public init(connection: ConnectionInfo, replayHistory: Int = 1 << 16) {
    self.init(
      signer: MessageSigner(scheme: connection.signatureScheme, key: connection.key),
      sessionId: UUID().uuidString.lowercased(), replayHistory: replayHistory)
  }

  /// A session from its parts (tests, fixed session ids).
  public init(
    signer: MessageSigner, sessionId: String, username: String = "jupyter-lmk",
    replayHistory: Int = 1 << 16
  ) {
    self.signer = signer
    self.sessionId = sessionId
    self.username = username
    self.replayGuard = ReplayGuard(capacity: replayHistory)
  }

  /// The signed frames of a request with empty content (see `RequestEncoder`).
  public func request(msgType: String, msgId: String, date: String) -> [[UInt8]] {
    RequestEncoder(signer: signer, session: sessionId, username: username)
      .encode(msgType: msgType, msgId: msgId, date: date)
  }

  /// Finds the message's parts, checks its signature and that it was not seen
  /// before (remembering it), then reads it with `read`.
  mutating func receive<Frames: WireFrames, Value>(
    _ frames: Frames, read: (SignedParts) -> Result<Value, DropReason>
  ) -> Result<Value, DropReason> {
    do {
      return read(try SignedParts.open(frames, signer: signer, replayGuard: &replayGuard))
    } catch {
      return .failure(error)
    }
  }
}
