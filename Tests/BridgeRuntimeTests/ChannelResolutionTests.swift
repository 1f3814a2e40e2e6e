import ExecutionCore
import Foundation
import LMKClient
import Testing

@testable import BridgeRuntime

/// An event stored while LMK was unreachable names its channel as the user wrote it;
/// `SessionStateMapping.resolvingChannels` turns that into an id when it is sent.
@Suite struct ChannelResolutionTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var stored: [String]?
    var sent: [String]?
    var testDescription: String { "\(stored ?? []) → \(sent ?? [])" }
  }

  static let cases: [Case] = [
    Case(stored: ["ch-sms"], sent: ["ch-sms"]),  // already an id
    Case(stored: ["sms"], sent: ["ch-sms"]),  // a channel type
    Case(stored: ["TEXT MESSAGE"], sent: ["ch-sms"]),  // a channel name, any case
    Case(stored: ["email", "push"], sent: ["ch-email", "ch-push"]),
    Case(stored: ["gone", "sms"], sent: ["ch-sms"]),  // an unknown one is left out
    Case(stored: ["gone"], sent: nil),  // nothing left: the account's default
    Case(stored: nil, sent: nil),  // the default stays the default
  ]

  static func channel(_ id: String, _ name: String, _ order: Int, _ payload: String) -> String {
    let actor = #"{"type": "APP", "actorId": "app", "name": "app"}"#
    return """
      {"notificationChannelId": "\(id)", "name": "\(name)", "order": \(order),
       "isDefault": \(order == 0), "isManaged": false, "payload": \(payload),
       "createdAt": "2025-01-01T00:00:00.000Z", "createdByActor": \(actor),
       "lastUpdatedAt": "2025-01-01T00:00:00.000Z", "lastUpdatedByActor": \(actor)}
      """
  }

  static func directory() throws -> ChannelDirectory {
    let json =
      "["
      + [
        channel("ch-email", "Email", 0, #"{"type": "email", "emailAddress": "a@example.org"}"#),
        channel(
          "ch-sms", "Text message", 1, #"{"type": "text-message", "phoneNumber": "+15555550100"}"#),
        channel(
          "ch-push", "Browser push", 2,
          #"{"type": "web-push", "endpoint": "https://push.example.org", "device": "d", "authKey": "k"}"#
        ),
      ].joined(separator: ",") + "]"
    return ChannelDirectory(
      try JSONDecoder().decode([LMKService.Channel].self, from: Data(json.utf8)))
  }

  static func event(_ channelIds: [String]?) -> LMKService.Event {
    LMKService.Event(
      message: "m", contentType: .text_sol_markdown,
      notificationConfig: .init(notify: true, channelIds: channelIds))
  }

  /// The event is stored with the renderer's message and the channel as the user wrote
  /// it; nothing is resolved before it is sent.
  @Test(arguments: [nil, "sms", "ch-sms"] as [String?])
  func eventKeepsTheChannelAsWritten(channel: String?) {
    let intent = NotificationIntent(
      outcome: .finished, cell: nil, cellCount: 1, startedAt: nil, finishedAt: nil,
      durationMilliseconds: 5, notifyChannel: channel)
    let context = NotificationContext(notebookName: "nb.ipynb")
    let event = SessionStateMapping.event(for: intent, context: context, sessionId: "s-1")
    #expect(event.message == NotificationRenderer.markdown(for: intent, context: context))
    #expect(event.contentType == .text_sol_markdown)
    #expect(event.sessionId == "s-1")
    #expect(event.notificationConfig?.notify == true)
    #expect(event.notificationConfig?.channelIds == channel.map { [$0] })
  }

  @Test func aReferenceThatMatchesNothingIsNamed() throws {
    var unknown: [String] = []
    _ = SessionStateMapping.resolvingChannels(Self.event(["gone", "sms"]), try Self.directory()) {
      unknown.append($0)
    }
    #expect(unknown == ["gone"])
  }

  @Test(arguments: cases)
  func storedChannelIsResolvedWhenSent(_ c: Case) throws {
    let sent = SessionStateMapping.resolvingChannels(Self.event(c.stored), try Self.directory())
    #expect(sent.notificationConfig?.channelIds == c.sent)
    #expect(sent.notificationConfig?.notify == true)
    #expect(sent.message == "m")
  }

  @Test func beforeTheListIsKnownTheEventIsSentAsStored() {
    let stored = Self.event(["sms"])
    #expect(SessionStateMapping.resolvingChannels(stored, ChannelDirectory()) == stored)
  }
}
