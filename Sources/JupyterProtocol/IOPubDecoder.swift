import ExecutionCore
import Foundation

/// Turns received IOPub frames into `IOPubMessage`s, verifying each one.
///
/// Every message is checked (signature, replay) and its header scanned for
/// `msg_type`; only the few message types the bridge acts on have their parent
/// header and content decoded. Output content (stream, display_data…) is
/// hashed for the signature but never copied or parsed.
public struct IOPubDecoder: Sendable {
  private var session: JupyterSession
  public private(set) var dropped = DropCounts()

  /// A decoder verifying with `session` (its signer and its copy of the replay history).
  public init(session: JupyterSession) {
    self.session = session
  }

  /// A decoder with a session of its own (tests, transcripts).
  public init(signer: MessageSigner, replayHistory: Int = 1 << 16) {
    self.init(session: JupyterSession(signer: signer, sessionId: "", replayHistory: replayHistory))
  }

  /// Decodes one message; on failure the reason is counted and returned.
  public mutating func decode<Frames: WireFrames>(_ frames: Frames) -> Result<
    IOPubMessage, DropReason
  > {
    switch session.receive(frames, read: Self.read) {
    case .success(let message): return .success(message)
    case .failure(let reason):
      dropped.increment(reason)
      return .failure(reason)
    }
  }

  private static func read(_ parts: SignedParts) -> Result<IOPubMessage, DropReason> {
    guard let fields = try? HeaderFields(parts.header) else { return .failure(.malformedHeader) }
    let kind: Kind
    switch fields.msgType {
    case "status": kind = .status
    case "execute_input": kind = .executeInput
    case "error": kind = .error
    case "shutdown_reply", "shutdown": kind = .shutdown
    case "iopub_welcome": kind = .welcome
    default:
      return .success(IOPubMessage(content: .other(msgType: fields.msgType)))
    }

    guard let parentFields = try? HeaderFields(parts.parent, allowNull: true, repairing: true)
    else {
      return .failure(.malformedParent)
    }
    guard let decoded = kind.decodeRepairing(parts.content) else {
      return .failure(.malformedContent)
    }
    return .success(
      IOPubMessage(
        content: decoded, parentMsgId: parentFields.msgId, parentMsgType: parentFields.msgTypeIfAny,
        subshellId: fields.subshellId ?? parentFields.subshellId, date: fields.date(),
        kernelSession: fields.sessionDigest))
  }

  /// The message types whose content matters, and how to decode it.
  private enum Kind {
    case status, executeInput, error, shutdown, welcome

    /// Decodes the content; invalid UTF-8 inside its strings is replaced with U+FFFD
    /// (docs/BEHAVIOUR.md, "Semantics": an error is never dropped for its encoding).
    /// The signature was checked on the bytes as received, before any repair.
    func decodeRepairing(_ content: UnsafeRawBufferPointer) -> IOPubMessage.Content? {
      if let decoded = try? decode(Data(content)) { return decoded }
      // Only a failed decode pays for the check; valid UTF-8 gets no second try.
      guard String(validating: content, as: UTF8.self) == nil else { return nil }
      return try? decode(Data(String(decoding: content, as: UTF8.self).utf8))
    }

    func decode(_ data: Data) throws -> IOPubMessage.Content {
      let decoder = JSONDecoder()
      switch self {
      case .status:
        let body = try decoder.decode(StatusContent.self, from: data)
        guard let state = ExecutionState(rawValue: body.execution_state) else {
          return .other(msgType: "status")
        }
        return .status(state)
      case .executeInput:
        let body = try decoder.decode(ExecuteInputContent.self, from: data)
        return .executeInput(
          code: body.code, executionCount: body.execution_count?.accepted ?? 0)
      case .error:
        let body = try decoder.decode(ErrorContent.self, from: data)
        return .error(
          ename: body.ename ?? "", evalue: body.evalue ?? "", traceback: body.traceback ?? [])
      case .shutdown:
        return .shutdown
      case .welcome:
        let body = try decoder.decode(WelcomeContent.self, from: data)
        return .welcome(subscription: body.subscription)
      }
    }
  }

  private struct StatusContent: Decodable { var execution_state: String }
  private struct ExecuteInputContent: Decodable {
    var code: String
    var execution_count: ExecutionCount?
  }

  /// An `execution_count` as kernels (and hostile peers) write it. Accepted: an
  /// integer in 0...Int32.max, written as a JSON integer, an integral number (`3.0`)
  /// or a decimal string (`"3"`). Anything else (a fraction, 1e30, 2^63, a negative,
  /// `true`, `null`, an object) is unknown: the cell is still tracked, with count 0.
  private struct ExecutionCount: Decodable {
    var accepted: Int?

    init(from decoder: Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let integer = try? container.decode(Int64.self) {
        accepted = Self.inRange(integer)
      } else if let number = try? container.decode(Double.self) {
        accepted = Int64(exactly: number).flatMap(Self.inRange)
      } else if let text = try? container.decode(String.self) {
        accepted = Int64(text).flatMap(Self.inRange)
      } else {
        accepted = nil
      }
    }

    private static func inRange(_ value: Int64) -> Int? {
      (0...Int64(Int32.max)).contains(value) ? Int(exactly: value) : nil
    }
  }
  private struct ErrorContent: Decodable {
    var ename: String?
    var evalue: String?
    var traceback: [String]?
  }
  private struct WelcomeContent: Decodable { var subscription: String }
}
