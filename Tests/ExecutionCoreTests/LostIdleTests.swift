import Testing

@testable import ExecutionCore

/// docs/BEHAVIOUR.md, "Semantics" a lost idle never silences the bridge. Cells on one shell (the same
/// `subshell_id`, or none) run one after another, so a new cell's `execute_input` ends
/// any earlier cell still in flight on that shell.
@Suite struct LostIdleTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var inputs: [CoreInput]
    var notifyOn: NotifyOn = .stop
    /// Per notification: outcome, cell count, execution count of the featured cell.
    var expected: [Expected]
    var testDescription: String { name }
  }

  struct Expected: Equatable, Sendable {
    var outcome: RunOutcome
    var cellCount: Int
    var featured: Int?
  }

  static let cases: [Case] = [
    Case(
      name: "a new cell ends the earlier cell whose idle was lost; one run",
      inputs: [Msg.input("a", "a()", n: 1, at: 0)] + Msg.cell("b", "b()", n: 2, from: 100, to: 200),
      expected: [Expected(outcome: .finished, cellCount: 2, featured: 2)]),
    Case(
      name: "the lost cell's own error still fails the run",
      inputs: [
        Msg.input("a", "a()", n: 1, at: 0), Msg.error("a", ename: "E", evalue: "v", at: 50),
      ] + Msg.cell("b", "b()", n: 2, from: 100, to: 200),
      expected: [Expected(outcome: .failed, cellCount: 2, featured: 1)]),
    Case(
      name: "three failing cells long after a lost idle are each notified",
      inputs: [Msg.input("lost", "x", n: 1, at: 0)]
        + Msg.cell("f1", "f1", n: 2, from: 600_000, to: 600_100, error: ("E", "1"))
        + [Msg.tick(700_000)]
        + Msg.cell("f2", "f2", n: 3, from: 800_000, to: 800_100, error: ("E", "2"))
        + [Msg.tick(900_000)]
        + Msg.cell("f3", "f3", n: 4, from: 1_000_000, to: 1_000_100, error: ("E", "3")),
      notifyOn: .error,
      expected: [
        Expected(outcome: .failed, cellCount: 2, featured: 2),
        Expected(outcome: .failed, cellCount: 1, featured: 3),
        Expected(outcome: .failed, cellCount: 1, featured: 4),
      ]),
    Case(
      name: "the late idle of a cell already ended counts for nothing",
      inputs: [Msg.input("a", "a()", n: 1, at: 0)] + Msg.cell("b", "b()", n: 2, from: 100, to: 200)
        + [Msg.idle("a", at: 250)],
      expected: [Expected(outcome: .finished, cellCount: 2, featured: 2)]),
    Case(
      name: "a subshell cell does not end a main-shell cell",
      inputs: [
        Msg.input("main", "long()", n: 1, at: 0),
        Msg.input("sub", "peek()", n: 2, subshell: "s-1", at: 100),
        Msg.idle("sub", subshell: "s-1", at: 150),
        Msg.error("main", ename: "E", evalue: "v", at: 1_000), Msg.idle("main", at: 1_000),
      ],
      expected: [Expected(outcome: .failed, cellCount: 2, featured: 1)]),
    Case(
      name: "a main-shell cell does not end a subshell cell",
      inputs: [
        Msg.input("sub", "peek()", n: 1, subshell: "s-1", at: 0),
        Msg.input("main", "m()", n: 2, at: 100),
        Msg.idle("main", at: 150),
        Msg.error("sub", ename: "E", evalue: "v", at: 1_000),
        Msg.idle("sub", subshell: "s-1", at: 1_000),
      ],
      expected: [Expected(outcome: .failed, cellCount: 2, featured: 1)]),
    Case(
      name: "a new cell on the same subshell ends that subshell's earlier cell",
      inputs: [
        Msg.input("main", "long()", n: 1, at: 0),
        Msg.input("s1", "one()", n: 2, subshell: "s-1", at: 100),
        Msg.input("s2", "two()", n: 3, subshell: "s-1", at: 200),
        Msg.idle("s2", subshell: "s-1", at: 300),
        Msg.idle("main", at: 400),
      ],
      expected: [Expected(outcome: .finished, cellCount: 3, featured: 3)]),
  ]

  @Test(arguments: cases)
  func lostIdle(_ c: Case) {
    var h = Harness(NotificationPolicy(notifyOn: c.notifyOn))
    h.send(c.inputs)
    h.settle(at: 10_000_000)
    let got = h.notifications.map {
      Expected(outcome: $0.outcome, cellCount: $0.cellCount, featured: $0.cell?.executionCount)
    }
    #expect(got == c.expected)
    #expect(!h.core.isRunInProgress)
    #expect(h.core.snapshot.shellState == .idle)
  }

  @Test func theEndedCellIsReportedFinishedAtTheNewCellsStart() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.input("a", "a()", n: 1, at: 0), Msg.input("b", "b()", n: 2, at: 100))
    #expect(h.core.snapshot.cellState == .running)
    #expect(h.core.snapshot.executionNum == 2)
    #expect(h.core.nextDeadline == nil)
    h.send(Msg.idle("b", at: 200))
    #expect(h.core.snapshot.cellState == .success)
    #expect(h.core.nextDeadline != nil)
  }
}
