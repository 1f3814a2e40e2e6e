import Testing

@testable import ExecutionCore

@Suite("ISO 8601 and text cleaning")
struct TextTests {
  @Test(
    arguments: [
      (0, "1970-01-01T00:00:00.000Z"),
      (1_737_667_395_387, "2025-01-23T21:23:15.387Z"),
      (951_782_400_000, "2000-02-29T00:00:00.000Z"),
      (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
      (-1, "1969-12-31T23:59:59.999Z"),
      (253_402_300_799_000, "9999-12-31T23:59:59.000Z"),
    ] as [(Int64, String)])
  func iso8601(ms: Int64, expected: String) {
    let time = KernelTime(millisecondsSince1970: ms)
    #expect(time.iso8601 == expected)
    #expect(KernelTime(iso8601: expected) == time)
  }

  @Test func calendarFieldsRoundTrip() {
    let t = KernelTime(
      year: 2025, month: 1, day: 23, hour: 21, minute: 23, second: 15, millisecond: 387)
    #expect(t.millisecondsSince1970 == 1_737_667_395_387)
    #expect(t.readableUTC == "2025-01-23 21:23:15 UTC")
  }

  @Test(arguments: [
    ("plain", "plain"),
    ("\u{1B}[31mred\u{1B}[0m", "red"),
    ("\u{1B}[1;32;40mbold green\u{1B}[39m!", "bold green!"),
    ("\u{1B}]8;;http://x\u{07}link\u{1B}]8;;\u{07}", "link"),
    ("\u{1B}]0;title\u{1B}\\text", "text"),
    ("a\u{1B}(Bb", "ab"),
    ("dangling \u{1B}[", "dangling "),
  ])
  func stripsANSI(input: String, expected: String) {
    #expect(TextBounds.strippingANSI(input) == expected)
  }

  @Test(arguments: [
    ("ZeroDivisionError", "ZeroDivisionError", false),
    ("<class 'ZeroDivisionError'>", "ZeroDivisionError", false),
    ("<class 'KeyboardInterrupt'>", "KeyboardInterrupt", true),
    ("  KeyboardInterrupt\n", "KeyboardInterrupt", true),
    ("asyncio.exceptions.CancelledError", "asyncio.exceptions.CancelledError", true),
    ("InterruptException", "InterruptException", true),
    ("ERROR", "ERROR", false),
    ("<class ''>", "<class ''>", false),
  ])
  func normalisesEname(raw: String, expected: String, interrupt: Bool) {
    let e = KernelError(ename: raw, evalue: "v", traceback: [])
    #expect(e.ename == expected)
    #expect(e.isInterrupt == interrupt)
  }

  /// Issue 11 item 4: each kernel's error fields in the words its users read.
  @Test(arguments: [
    ("ZeroDivisionError", "division by zero", "ZeroDivisionError: division by zero"),  // ipykernel
    ("", "2", "exit status 2"),  // bash_kernel: no name, the exit status
    ("", "something broke", "something broke"),
    ("ERROR", "Error in f(): boom\n", "Error in f(): boom"),  // IRkernel
    ("ValueError", "", "ValueError"),  // raise ValueError()
    ("", "", ""),
    ("", "２", "２"),  // a digit outside ASCII is no exit status
  ])
  func summaryInEachKernelsWords(ename: String, evalue: String, summary: String) {
    #expect(KernelError(ename: ename, evalue: evalue, traceback: []).summary == summary)
  }

  @Test func tracebackTailKeepsTheLastCleanLines() {
    let traceback = (1...30).map { "\u{1B}[36mframe \($0)\u{1B}[0m\nline of \($0)\n" }
    let e = KernelError(ename: "E", evalue: "v", traceback: traceback + ["", "\n"])
    #expect(e.tracebackTail.count == KernelError.tracebackLineCount)
    #expect(e.tracebackTail.last == "line of 30")
    #expect(e.tracebackTail.first == "frame 25")
  }

  @Test func boundsSummaryAndLines() {
    let e = KernelError(
      ename: "E", evalue: String(repeating: "v", count: 5_000),
      traceback: [String(repeating: "t", count: 5_000)])
    #expect(e.summary.count == KernelError.summaryLimit)
    #expect(e.tracebackTail.allSatisfy { $0.count <= KernelError.tracebackLineLimit })
  }

  @Test(
    arguments: [("short", 10, "short"), ("exactly10!", 10, "exactly10!")] as [(String, Int, String)]
  )
  func truncationLeavesShortTextAlone(text: String, limit: Int, expected: String) {
    #expect(TextBounds.truncated(text, to: limit) == expected)
    #expect(TextBounds.truncatedKeepingEnd(text, to: limit) == expected)
  }

  @Test func truncationMarksTheCut() {
    let text = String(repeating: "a", count: 50) + String(repeating: "z", count: 50)
    let head = TextBounds.truncated(text, to: 30)
    let tail = TextBounds.truncatedKeepingEnd(text, to: 30)
    #expect(
      head.count == 30 && head.hasPrefix("aaa") && head.hasSuffix(TextBounds.truncationMarker))
    #expect(
      tail.count == 30 && tail.hasSuffix("zzz") && tail.hasPrefix(TextBounds.truncationMarker))
  }
}
