import Testing

@testable import ExecutionCore

@Suite("Cell directives")
struct CellDirectiveTests {
  @Test(
    arguments: [
      (
        "# lmk: notify=stop channel=sms min=60",
        CellDirective(notifyOn: .stop, notifyChannel: "sms", minDurationMilliseconds: 60_000)
      ),
      ("// lmk: notify=error", CellDirective(notifyOn: .error)),
      ("-- lmk: min=2m", CellDirective(minDurationMilliseconds: 120_000)),
      (";; lmk: channel=ch-email", CellDirective(notifyChannel: "ch-email")),
      ("% lmk: notify=none", CellDirective(notifyOn: NotifyOn.none)),
      (
        "%% LMK:notify=STOP min=90s",
        CellDirective(notifyOn: .stop, minDurationMilliseconds: 90_000)
      ),
      ("   ## lmk:   min=1h   ", CellDirective(minDurationMilliseconds: 3_600_000)),
      (
        "x = 1\n# lmk: notify=stop\ny = 2\n# lmk: notify=error min=5",
        CellDirective(notifyOn: .error, minDurationMilliseconds: 5_000)
      ),
      ("# lmk: colour=blue notify=sometimes min=-3 min=abc channel=", CellDirective()),
      ("# lmk: memory=0.9", CellDirective(memoryWarning: 0.9)),
      ("# lmk: memory=1 notify=stop", CellDirective(notifyOn: .stop, memoryWarning: 1)),
      ("# lmk: memory=0 memory=1.5 memory=-1 memory=nan memory=90%", CellDirective()),
      ("# lmk:", CellDirective()),
      ("\r\n# lmk: notify=stop\r\n", CellDirective(notifyOn: .stop)),
    ] as [(String, CellDirective)])
  func parses(code: String, expected: CellDirective) {
    #expect(CellDirective.parse(code: code) == expected)
  }

  @Test(arguments: [
    "print('# lmk: notify=stop')",
    "x = 1  # lmk: notify=stop",
    "/ lmk: notify=stop",
    "- lmk: notify=stop",
    "# lmkx: notify=stop",
    "#lmk notify=stop",
    "",
  ])
  func ignoresNonDirectives(code: String) {
    #expect(CellDirective.parse(code: code) == nil)
  }

  @Test func mergeAndApply() {
    var d = CellDirective(notifyOn: .stop, notifyChannel: "sms")
    d.merge(CellDirective(notifyChannel: "email", minDurationMilliseconds: 1))
    #expect(d == CellDirective(notifyOn: .stop, notifyChannel: "email", minDurationMilliseconds: 1))
    let applied = d.applied(
      to: NotificationPolicy(idleGraceMilliseconds: 300, notifyOnDeath: false))
    #expect(
      applied
        == NotificationPolicy(
          notifyOn: .stop, notifyChannel: "email", minDurationMilliseconds: 1,
          idleGraceMilliseconds: 300, notifyOnDeath: false))
  }

  @Test func absurdDurationsAreIgnored() {
    #expect(CellDirective.milliseconds(duration: "99999999999999999h") == nil)
    #expect(CellDirective.milliseconds(duration: "٣") == nil)
    #expect(CellDirective.milliseconds(duration: "0") == 0)
  }
}
