import ExecutionCore
import Foundation

/// What `jupyter-lmk notify` asks a running bridge, in its request file
/// `<runtime dir>/jupyter-lmk/<kernel id>.request`: arm a one-shot `notifyOn`
/// (and maybe a channel), as a remote change from a terminal. The bridge reads
/// it bounded and totally: anything else in that file is ignored, never a trap.
public struct NotifyRequest: Codable, Sendable, Equatable {
  /// Names the answer in the bridge's state file (`BridgeState.acknowledged`).
  public var nonce: String
  public var notifyOn: NotifyOn
  /// A channel id or name as the user wrote it; nil leaves the channel as it is.
  public var channel: String?

  public init(nonce: String, notifyOn: NotifyOn, channel: String?) {
    self.nonce = nonce
    self.notifyOn = notifyOn
    self.channel = channel
  }

  /// A request file larger than this is garbage.
  public static let sizeLimit = 4 << 10
  /// The longest channel accepted (LMK's channel names and ids are far shorter).
  public static let channelLimit = 200

  /// A fresh request with a random nonce.
  public static func make(notifyOn: NotifyOn, channel: String?) -> NotifyRequest {
    NotifyRequest(nonce: UUID().uuidString.lowercased(), notifyOn: notifyOn, channel: channel)
  }

  /// Whether `channel` can be sent: not empty, one line, at most `channelLimit` characters.
  public static func isValidChannel(_ channel: String) -> Bool {
    !channel.isEmpty && channel.count <= channelLimit
      && !channel.unicodeScalars.contains { $0.properties.generalCategory == .control }
  }

  public func encoded() -> Data {
    (try? JSONEncoder().encode(self)) ?? Data()
  }

  /// The request in `data`, or why it is none (a line for the log).
  public static func decode(_ data: Data) -> Result<NotifyRequest, Garbage> {
    guard data.count <= sizeLimit else { return .failure(Garbage("larger than 4 KiB")) }
    let request: NotifyRequest
    do {
      request = try JSONDecoder().decode(NotifyRequest.self, from: data)
    } catch {
      return .failure(Garbage("not a request (JSON with nonce, notifyOn none|error|stop)"))
    }
    let nonceOK =
      (1...64).contains(request.nonce.utf8.count)
      && request.nonce.unicodeScalars.allSatisfy {
        $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-")
      }
    guard nonceOK else { return .failure(Garbage("a nonce that is not 1-64 letters, digits, -")) }
    if let channel = request.channel, !isValidChannel(channel) {
      return .failure(Garbage("a channel that is empty, too long or not one line"))
    }
    return .success(request)
  }

  /// Why a request file was ignored.
  public struct Garbage: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
  }
}
