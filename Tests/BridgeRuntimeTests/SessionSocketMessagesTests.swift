import ExecutionCore
import Foundation
import LMKClient
import Synchronization
import Testing

@testable import BridgeRuntime

/// The session socket's wire format (PRODUCT.md §8): what the bridge sends, and that
/// whatever the service sends decodes totally.
@Suite struct SessionSocketMessagesTests {
  private func object(_ text: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func theConnectMessageBindsTheSessionWithUpdatesAllowed() throws {
    let sent = try object(SessionSocketMessages.connect(sessionId: "s-1\"x"))
    #expect(sent["event"] as? String == "connect")
    let data = try #require(sent["data"] as? [String: Any])
    #expect(data["sessionId"] as? String == "s-1\"x")
    #expect(data["readOnly"] as? Bool == false)
  }

  @Test func aStateUpdateHasTheFieldsWithNullForUnsetButTheAppsTwoOnlyWhenSet() throws {
    let state = LMKService.PartialJupyterState(
      _type: .jupyter, url: nil, notebookName: "a.ipynb", shellState: "running",
      cellState: "running", cellText: "sleep(60)", cellError: nil, executionNum: 3,
      cellStartedAt: "2026-12-01T10:00:00.000Z", cellFinishedAt: nil, notifyOn: "stop",
      notifyChannel: nil)
    let text = SessionSocketMessages.state(state)
    let sent = try object(text)
    #expect(
      Set(sent.keys) == [
        "url", "notebookName", "shellState", "cellState", "cellText", "cellError",
        "executionNum", "cellStartedAt", "cellFinishedAt", "notifyOn",
      ])
    #expect(sent["cellFinishedAt"] is NSNull)
    #expect(sent["cellError"] is NSNull)
    #expect(sent["notifyOn"] as? String == "stop")
    #expect(text.contains("\"executionNum\":3,"))
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var text: String
    var decoded: SessionSocketMessages.Incoming?
    var testDescription: String { String(text.prefix(60)) }
  }

  static let cases: [Case] = [
    Case(
      text: #"{"ok":true,"message":{"type":"update","session":{"state":{"notifyOn":"stop"}}}}"#,
      decoded: .update(RemoteSessionSettings(notifyOn: "stop", notifyChannel: nil))),
    Case(
      text:
        #"{"ok":true,"message":{"type":"update","session":{"sessionId":"s","state":{"type":"jupyter","notifyOn":"error","notifyChannel":"c-2","shellState":"idle"}}}}"#,
      decoded: .update(RemoteSessionSettings(notifyOn: "error", notifyChannel: "c-2"))),
    // An update without notifyOn (it ended the official client's session) changes nothing.
    Case(
      text: #"{"ok":true,"message":{"type":"update","session":{"state":{}}}}"#,
      decoded: .update(RemoteSessionSettings(notifyOn: nil, notifyChannel: nil))),
    Case(
      text: #"{"ok":true,"message":{"type":"action","action":"interrupt"}}"#,
      decoded: .action("interrupt")),
    Case(
      text: #"{"ok":true,"message":{"type":"action","action":"sendSignal","body":{"signal":9}}}"#,
      decoded: .action("sendSignal")),
    Case(text: #"{"ok":false,"message":"nope"}"#, decoded: .refused),
    Case(
      text: #"{"ok":false,"message":{"type":"action","action":"interrupt"}}"#, decoded: .refused),
    Case(text: #"{"ok":true,"message":{"type":"hello"}}"#, decoded: .unexpected(type: "hello")),
    // Malformed: not JSON, wrong shapes, wrong types, truncated, hostile sizes.
    Case(text: "", decoded: nil),
    Case(text: "not json", decoded: nil),
    Case(text: "[]", decoded: nil),
    Case(text: #"{"ok":true}"#, decoded: nil),
    Case(text: #"{"ok":true,"message":"update"}"#, decoded: nil),
    Case(text: #"{"ok":true,"message":{"type":"update"}}"#, decoded: nil),
    Case(
      text: #"{"ok":true,"message":{"type":"update","session":{"state":{"notifyOn":3}}}}"#,
      decoded: nil),
    Case(text: #"{"ok":true,"message":{"type":"action"}}"#, decoded: nil),
    Case(text: #"{"ok":true,"message":{"type":7}}"#, decoded: nil),
    Case(text: #"{"ok":"yes","message":{"type":"action","action":"interrupt"}}"#, decoded: nil),
    Case(
      text: #"{"ok":true,"message":{"type":"update","session":{"state":{"notifyOn":"st"#,
      decoded: nil),
    Case(text: String(repeating: "[", count: 100_000), decoded: nil),
  ]

  @Test(arguments: cases)
  func whateverTheServiceSendsDecodesTotally(_ c: Case) {
    #expect(SessionSocketMessages.decode(c.text) == c.decoded)
  }
}

@Suite struct ReconnectBackoffTests {
  @Test(
    arguments: [
      (1, 1.0, 500), (2, 1.0, 1000), (3, 1.0, 2000), (6, 1.0, 16_000), (7, 1.0, 30_000),
      (1_000_000, 1.0, 30_000), (Int.max, 1.0, 30_000), (0, 1.0, 500), (-5, 1.0, 500),
      (1, 0.0, 250), (7, 0.0, 15_000), (3, 0.5, 1500), (3, -4, 1000), (3, 9, 2000), (3, .nan, 2000),
    ] as [(Int, Double, Int64)])
  func theWaitDoublesUpToTheCapWithJitter(_ failures: Int, _ jitter: Double, _ milliseconds: Int64)
  {
    let delay = ReconnectBackoff().delay(afterFailures: failures, jitter: jitter)
    #expect(delay == .milliseconds(milliseconds))
  }
}

@Suite struct RemoteControlRelayTests {
  @Test func commandsBeforeTheTargetWaitAndKeepTheirOrder() {
    let relay = RemoteControlRelay()
    relay.deliver(.settings(notifyOn: .stop, notifyChannel: nil))
    relay.deliver(.interrupt)
    let seen = Mutex<[RemoteCommand]>([])
    relay.attach { command in seen.withLock { $0.append(command) } }
    relay.deliver(.settings(notifyOn: nil, notifyChannel: "sms"))
    #expect(
      seen.withLock { $0 } == [
        .settings(notifyOn: .stop, notifyChannel: nil), .interrupt,
        .settings(notifyOn: nil, notifyChannel: "sms"),
      ])
  }

  @Test func atMostAFewWaitTheNewestKept() {
    let relay = RemoteControlRelay()
    for _ in 0..<100 { relay.deliver(.interrupt) }
    relay.deliver(.settings(notifyOn: .error, notifyChannel: nil))
    let seen = Mutex<[RemoteCommand]>([])
    relay.attach { command in seen.withLock { $0.append(command) } }
    let received = seen.withLock { $0 }
    #expect(received.count == RemoteControlRelay.waitingLimit)
    #expect(received.last == .settings(notifyOn: .error, notifyChannel: nil))
  }
}
