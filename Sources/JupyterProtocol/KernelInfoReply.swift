import Foundation

/// What the bridge wants from a `kernel_info_reply`: the language for the
/// notification's code fence and the implementation for kernel quirks.
public struct KernelInfoReply: Sendable, Equatable {
  public var languageName: String
  public var implementation: String
  /// `parent_header.msg_id`: which request this answers.
  public var inReplyTo: String?

  private struct Content: Decodable {
    struct LanguageInfo: Decodable { var name: String? }
    var language_info: LanguageInfo?
    var implementation: String?
  }

  /// Verifies the frames with `session` (signature, replay) and decodes the reply;
  /// a failure when it is not a verified kernel_info_reply.
  public static func decode<Frames: WireFrames>(
    _ frames: Frames, session: inout JupyterSession
  ) -> Result<KernelInfoReply, DropReason> {
    session.receive(frames, read: read)
  }

  private static func read(_ parts: SignedParts) -> Result<KernelInfoReply, DropReason> {
    guard let header = try? HeaderFields(parts.header), header.msgType == "kernel_info_reply" else {
      return .failure(.malformedHeader)
    }
    guard let parent = try? HeaderFields(parts.parent, allowNull: true) else {
      return .failure(.malformedParent)
    }
    guard let content = try? JSONDecoder().decode(Content.self, from: Data(parts.content)) else {
      return .failure(.malformedContent)
    }
    return .success(
      KernelInfoReply(
        languageName: content.language_info?.name ?? "",
        implementation: content.implementation ?? "",
        inReplyTo: parent.msgId))
  }
}
