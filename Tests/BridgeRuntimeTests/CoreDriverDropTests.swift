import ExecutionCore
import JupyterProtocol
import Synchronization
import Testing

@testable import BridgeRuntime

/// Lines a monitor printed, from any thread.
final class Lines: Sendable {
  private let store = Mutex<[String]>([])
  func append(_ line: String) { store.withLock { $0.append(line) } }
  var all: [String] { store.withLock { $0 } }
}

/// What a monitor asked its sink to do.
final class RecordingSink: SessionSink {
  private let store = Mutex<[NotificationIntent]>([])
  func publish(_ snapshot: SessionSnapshot) {}
  func notify(_ intent: NotificationIntent, context: NotificationContext) {
    store.withLock { $0.append(intent) }
  }
  func finish(withinMilliseconds milliseconds: Int64) {}
  var notifications: [NotificationIntent] { store.withLock { $0 } }
}

/// Issue 9 item 1: the first dropped message trapped (`now - Int64.min`); drops are
/// counted per reason and reported at warning level, at most one line a second.
@Suite struct CoreDriverDropTests {
  private func monitor(
    _ transcript: Lines, _ warnings: Lines, sink: RecordingSink = RecordingSink()
  )
    -> CoreDriver
  {
    CoreDriver(
      settings: NotificationPolicy(notifyOn: .error),
      context: NotificationContext(notebookName: "nb"),
      sink: sink, emit: { transcript.append($0) },
      warn: { warnings.append($0) })
  }

  private func at(_ ms: Int64) -> ClockReading { ClockReading(milliseconds: ms) }

  @Test(arguments: [Int64.min, -1, 0, 5, Int64.max])
  func theFirstDropIsLoggedAtWhateverTheClockSays(clock: Int64) {
    let transcript = Lines()
    let warnings = Lines()
    let m = monitor(transcript, warnings)
    m.dropped(.badSignature, at: at(clock))
    m.dropped(.badSignature, at: at(clock))
    #expect(warnings.all == ["dropped an IOPub message: signature does not match"])
    #expect(m.dropCounts[.badSignature] == 2)
  }

  @Test func dropLinesAreRateLimitedAndSaySoWhatWasSuppressed() {
    let transcript = Lines()
    let warnings = Lines()
    let m = monitor(transcript, warnings)
    for i in 0..<1_000 { m.dropped(i % 2 == 0 ? .replayed : .unsigned, at: at(Int64(i))) }
    #expect(warnings.all.count == 1)
    m.dropped(.malformedHeader, at: at(1_000))
    #expect(warnings.all.count == 2)
    #expect(
      warnings.all[1]
        == "dropped an IOPub message: header is not a valid JSON object with msg_type"
        + " (and 999 more since the last such line)")
    #expect(m.dropCounts.total == 1_001)
  }

  @Test func theCountsPerReasonAreReportedAtWrapUp() {
    let transcript = Lines()
    let warnings = Lines()
    let m = monitor(transcript, warnings)
    m.dropped(.replayed, at: at(0))
    m.dropped(.replayed, at: at(1))
    m.dropped(.noDelimiter, at: at(2))
    m.receive(.stop, at: at(3))
    let summary = "IOPub messages dropped: 3 (no <IDS|MSG> delimiter: 1, replayed signature: 2)"
    #expect(warnings.all.last == summary)
    #expect(!transcript.all.contains { $0.contains("dropped") }, "drop lines go to the log")
  }

  @Test func noDropsNoSummary() {
    let transcript = Lines()
    let warnings = Lines()
    let m = monitor(transcript, warnings)
    m.receive(.stop, at: at(3))
    #expect(warnings.all.isEmpty)
    #expect(!transcript.all.contains { $0.contains("dropped") })
  }

  @Test func aFailingCellAfterDropsIsStillNotified() {
    let transcript = Lines()
    let warnings = Lines()
    let sink = RecordingSink()
    let m = monitor(transcript, warnings, sink: sink)
    for reason in DropReason.allCases { m.dropped(reason, at: at(0)) }
    let messages: [IOPubMessage] = [
      IOPubMessage(
        content: .executeInput(code: "1/0", executionCount: 1), parentMsgId: "c",
        parentMsgType: "execute_request"),
      IOPubMessage(
        content: .error(ename: "ZeroDivisionError", evalue: "division by zero", traceback: []),
        parentMsgId: "c"),
      IOPubMessage(content: .status(.idle), parentMsgId: "c"),
    ]
    for message in messages { m.receive(message, at: at(10)) }
    if let deadline = m.nextDeadline { m.tick(at: deadline) }
    #expect(sink.notifications.map(\.outcome) == [.failed])
  }
}
