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
      ("# lmk: memory=0.9", CellDirective(memoryWarning: 0.9)),
      ("# lmk: memory=1 notify=stop", CellDirective(notifyOn: .stop, memoryWarning: 1)),
      ("# lmk:", CellDirective()),
      ("\r\n# lmk: notify=stop\r\n", CellDirective(notifyOn: .stop)),
    ] as [(String, CellDirective)])
  func parses(code: String, expected: CellDirective) {
    #expect(CellDirective.parse(code: code) == expected)
  }

  /// A bad key is ignored, never silent: one line names the directive, the key and what
  /// was expected (with the config file's "did you mean").
  @Test func badKeysAreIgnoredWithOneLineEach() {
    let line = "# lmk: colour=blue notify=sometimes min=-3 min=abc channel= notfy=stop stop"
    let parsed = CellDirective.parse(code: "x = 1\n  \(line)  \n")
    let directive = "cell directive \"\(line)\""
    #expect(parsed?.notifyOn == nil && parsed?.minDurationMilliseconds == nil)
    #expect(
      parsed?.problems == [
        "\(directive): unknown key colour ignored (known: notify, channel, min, memory)",
        "\(directive): notify ignored: expected none, error or stop (got \"sometimes\")",
        "\(directive): min ignored: expected a duration such as 90, 90s, 2m or 1h (got \"-3\")",
        "\(directive): min ignored: expected a duration such as 90, 90s, 2m or 1h (got \"abc\")",
        "\(directive): channel ignored: no value after \"=\"",
        "\(directive): unknown key notfy ignored (did you mean \"notify\"?) (known: notify, channel, min, memory)",
        "\(directive): \"stop\" ignored: expected key=value",
      ])
    #expect(CellDirective.parse(code: "# lmk: notify=always min=abc")?.problems.count == 2)
    let memory = CellDirective.parse(
      code: "# lmk: memory=0 memory=1.5 memory=-1 memory=nan memory=90%")
    #expect(memory?.memoryWarning == nil)
    #expect(
      memory?.problems.count == 5
        && memory?.problems.allSatisfy { $0.contains("memory ignored: expected a fraction") }
          == true
    )
    #expect(CellDirective.parse(code: "# lmk: notify=stop min=2m")?.problems == [])
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

@Suite("A bad directive in a running cell")
struct DirectiveProblemTests {
  /// The core tells the runtime (which logs a warning) right after the cell's start.
  @Test func theCoreRecordsEachIgnoredKeyAfterTheCellStarts() {
    var harness = Harness()
    harness.send(
      Msg.busy("a", at: 0), Msg.input("a", "# lmk: notify=always min=abc\nx = 1", n: 4, at: 1))
    #expect(harness.story.count == 3)
    #expect(
      harness.story.first
        == .cellStarted(executionCount: 4, code: "# lmk: notify=always min=abc\nx = 1"))
    let problems = harness.story.dropFirst().map { event -> String in
      guard case .directiveIgnored(4, let problem) = event else { return "not a directive problem" }
      return problem
    }
    #expect(
      problems.allSatisfy { $0.hasPrefix("cell directive \"# lmk: notify=always min=abc\": ") })
    #expect(problems[0].hasSuffix("notify ignored: expected none, error or stop (got \"always\")"))
    #expect(problems[1].contains("min ignored: expected a duration"))
  }
}

@Suite("Did you mean")
struct KeySuggestionTests {
  @Test(arguments: [
    ("notifyon", "notifyOn"), ("NotifyChannel", "notifyChannel"), ("minDuraton", "minDuration"),
    ("idlegrace", "idleGrace"), ("notfy", "notify"), ("mn", "min"),
  ])
  func closeKeysAreSuggested(typo: String, meant: String) {
    let known = [
      "notifyOn", "notifyChannel", "minDuration", "idleGrace", "notifyOnDeath",
      "notify", "channel", "min",
    ]
    #expect(KeySuggestion.hint(for: typo, among: known) == " (did you mean \"\(meant)\"?)")
  }

  @Test func farKeysAreNot() {
    #expect(KeySuggestion.hint(for: "colour", among: ["notify", "channel", "min"]) == "")
    #expect(KeySuggestion.hint(for: String(repeating: "x", count: 10_000), among: ["min"]) == "")
    #expect(KeySuggestion.distance(Array("kitten"), Array("sitting")) == 3)
  }
}
