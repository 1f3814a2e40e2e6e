import ExecutionCore
import Foundation
import LMKClient

/// The session WebSocket's messages (PRODUCT.md §8; the official client's protocol in
/// `docs/BEHAVIOUR.md`, "Remote control"), encoded and decoded without I/O.
///
/// Decoding is total: anything that is not a message the bridge understands is nil or
/// `.unexpected`, counted and ignored by the caller, never fatal.
enum SessionSocketMessages {
  /// What the service sends.
  enum Incoming: Sendable, Equatable {
    /// The app changed the session: its `notifyOn` and `notifyChannel` now.
    case update(RemoteSessionSettings)
    /// The app asks the client to act (`interrupt`).
    case action(String)
    /// `ok: false`: the service reports a failure (whatever the rest says).
    case refused
    /// Well-formed, but of a type the bridge does not handle.
    case unexpected(type: String)
  }

  /// The first message on every socket: binds it to the session, with updates allowed.
  static func connect(sessionId: String) -> String {
    encode(Connect(event: "connect", data: .init(sessionId: sessionId, readOnly: false)))
  }

  /// A state update: the partial state with every field present, unset ones `null` (the
  /// socket is where fields are cleared, e.g. `cellFinishedAt` while a cell runs), but
  /// `notifyOn` and `notifyChannel` only when set: they are the app's to change too.
  static func state(_ state: LMKService.PartialJupyterState) -> String {
    encode(SocketState(state))
  }

  /// The message, or nil when it is not JSON of the expected shape.
  static func decode(_ text: String) -> Incoming? {
    let data = Data(text.utf8)
    let decoder = JSONDecoder()
    // A refusal's `message` may be anything (a string, an object): `ok` alone decides.
    if let status = try? decoder.decode(Status.self, from: data), status.ok == false {
      return .refused
    }
    guard let envelope = try? decoder.decode(Envelope.self, from: data),
      let message = envelope.message, let type = message.type
    else { return nil }
    switch type {
    case "update":
      guard let state = message.session?.state else { return nil }
      return .update(
        RemoteSessionSettings(notifyOn: state.notifyOn, notifyChannel: state.notifyChannel))
    case "action":
      return message.action.map { .action($0) }
    default:
      return .unexpected(type: String(type.prefix(64)))
    }
  }

  private static func encode(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Strings and optional numbers only: encoding cannot fail.
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }

  private struct Connect: Encodable {
    struct Payload: Encodable {
      var sessionId: String
      var readOnly: Bool
    }
    var event: String
    var data: Payload
  }

  /// The official client's eleven fields, `null` when unset.
  private struct SocketState: Encodable {
    let state: LMKService.PartialJupyterState

    init(_ state: LMKService.PartialJupyterState) { self.state = state }

    enum Key: String, CodingKey {
      case url, notebookName, shellState, cellState, cellText, cellError, executionNum
      case cellStartedAt, cellFinishedAt, notifyOn, notifyChannel
    }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Key.self)
      try container.encode(state.url, forKey: .url)
      try container.encode(state.notebookName, forKey: .notebookName)
      try container.encode(state.shellState, forKey: .shellState)
      try container.encode(state.cellState, forKey: .cellState)
      try container.encode(state.cellText, forKey: .cellText)
      try container.encode(state.cellError, forKey: .cellError)
      // A count, not a float: `3`, never `3.0`.
      try container.encode(state.executionNum.flatMap { Int(exactly: $0) }, forKey: .executionNum)
      try container.encode(state.cellStartedAt, forKey: .cellStartedAt)
      try container.encode(state.cellFinishedAt, forKey: .cellFinishedAt)
      try container.encodeIfPresent(state.notifyOn, forKey: .notifyOn)
      try container.encodeIfPresent(state.notifyChannel, forKey: .notifyChannel)
    }
  }

  private struct Status: Decodable {
    var ok: Bool?
  }

  private struct Envelope: Decodable {
    /// Decoded again so an `ok` of the wrong type makes the message malformed.
    var ok: Bool?
    var message: Message?
  }

  private struct Message: Decodable {
    var type: String?
    var action: String?
    var session: Session?
  }

  private struct Session: Decodable {
    var state: State?
  }

  private struct State: Decodable {
    var notifyOn: String?
    var notifyChannel: String?
  }
}
