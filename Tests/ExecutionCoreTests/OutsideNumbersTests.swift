import JupyterProtocol
import Testing

@testable import ExecutionCore

/// Issue 9, Deliver item 2: numbers from outside (files, flags, directives, kernel
/// dates, clocks) go through checked or saturating arithmetic, never a trap.
@Suite struct OutsideNumbersTests {
  @Test(arguments: [
    "1e300", "99999999999999999999", "9223372036854775807h", "9223372036854775807",
    "-5", "0x10", "١٢", "5.5m",
  ])
  func absurdDirectiveDurationsAreIgnored(value: String) {
    let parsed = CellDirective.milliseconds(duration: Substring(value))
    #expect(parsed == nil || parsed.map { $0 >= 0 } == true)
    #expect(CellDirective.parse(code: "# lmk: min=\(value)")?.minDurationMilliseconds == parsed)
  }

  @Test func clockArithmeticSaturates() {
    let end = ClockReading(milliseconds: .max - 5)
    #expect(end.adding(milliseconds: 1_000).milliseconds == .max)
    #expect(ClockReading(milliseconds: .min).adding(milliseconds: -1).milliseconds == .min)
    #expect(end.milliseconds(since: ClockReading(milliseconds: .min)) == .max)
    #expect(ClockReading(milliseconds: .min).milliseconds(since: end) == .min)
  }

  @Test func aYearLongGraceAtTheEndOfTheClockIsNoTrap() {
    var h = Harness(NotificationPolicy(notifyOn: .stop, idleGraceMilliseconds: .max))
    // Built by hand: the helpers' kernel dates are offsets from 2025 and would overflow.
    let clock = ClockReading(milliseconds: .max - 10)
    h.send(
      .message(
        IOPubMessage(
          content: .executeInput(code: "a", executionCount: 1), parentMsgId: "a",
          parentMsgType: "execute_request"), at: clock),
      .message(IOPubMessage(content: .status(.idle), parentMsgId: "a"), at: clock))
    #expect(h.core.nextDeadline == ClockReading(milliseconds: .max))
    h.send(Msg.tick(.max))
    #expect(h.notifications.count == 1)
  }

  @Test(arguments: [
    "99999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999999999999999Z",
    "0000-01-01T00:00:00-23:59", "2025-01-23T21:23:15+99:99", "2025-13-01T00:00:00Z",
  ])
  func extremeKernelDatesParseOrNot(text: String) {
    // No trap; a date either parses to a value that renders, or is unknown.
    if let time = KernelTime(iso8601: text) { #expect(!time.iso8601.isEmpty) }
  }

  @Test func extremeKernelTimesRender() {
    for ms in [Int64.min, -1, 0, .max] {
      #expect(!KernelTime(millisecondsSince1970: ms).iso8601.isEmpty)
      #expect(!KernelTime(millisecondsSince1970: ms).readableUTC.isEmpty)
    }
  }

  @Test func dropCountsSaturate() {
    var counts = DropCounts()
    counts[.replayed] = .max
    counts.increment(.replayed)
    counts[.unsigned] = .max
    #expect(counts[.replayed] == .max)
    #expect(counts.total == .max)
  }

  @Test func extremeDurationsRender() {
    for ms in [Int64.min, -1, 0, 9_999, 10_000, .max] {
      #expect(!NotificationRenderer.words(forDuration: ms).isEmpty || ms < 0)
    }
  }
}
