import Testing

@testable import ExecutionCore

@Suite("BridgeCore: cells and runs")
struct BridgeCoreCellTests {
  struct SingleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var error: (ename: String, evalue: String)?
    var cellState: CellState
    var cellError: String
    var outcome: RunOutcome
    var testDescription: String { name }
  }

  @Test(arguments: [
    SingleCase(name: "success", error: nil, cellState: .success, cellError: "", outcome: .finished),
    SingleCase(
      name: "error", error: ("ZeroDivisionError", "division by zero"), cellState: .error,
      cellError: "ZeroDivisionError: division by zero", outcome: .failed),
    SingleCase(
      name: "xeus ename", error: ("<class 'ZeroDivisionError'>", "division by zero"),
      cellState: .error, cellError: "ZeroDivisionError: division by zero", outcome: .failed),
    SingleCase(
      name: "ANSI evalue", error: ("ValueError", "bad \u{1B}[31mred\u{1B}[0m value"),
      cellState: .error, cellError: "ValueError: bad red value", outcome: .failed),
    SingleCase(
      name: "KeyboardInterrupt", error: ("KeyboardInterrupt", ""), cellState: .cancelled,
      cellError: "", outcome: .cancelled),
    SingleCase(
      name: "CancelledError", error: ("asyncio.exceptions.CancelledError", ""),
      cellState: .cancelled, cellError: "", outcome: .cancelled),
    SingleCase(
      name: "IJulia InterruptException", error: ("InterruptException", ""), cellState: .cancelled,
      cellError: "", outcome: .cancelled),
  ])
  func singleCell(_ c: SingleCase) {
    var h = Harness()
    h.send(Msg.cell("r1", "work()", n: 7, from: 100, to: 2_100, error: c.error))
    #expect(h.core.snapshot.shellState == .running)
    #expect(h.core.nextDeadline == ClockReading(milliseconds: 3_100))
    h.send(Msg.tick(3_100))
    #expect(
      h.core.snapshot
        == SessionSnapshot(
          shellState: .idle, cellState: c.cellState, cellText: "work()", cellError: c.cellError,
          executionNum: 7, cellStartedAt: kt(100), cellFinishedAt: kt(2_100), notifyOn: .stop))
    #expect(h.notifications.count == 1)
    #expect(h.notifications.first?.outcome == c.outcome)
    #expect(h.notifications.first?.durationMilliseconds == 2_000)
    #expect(h.notifications.first?.cell?.state == c.cellState)
    #expect(h.core.nextDeadline == nil)
  }

  @Test func stateSequenceOfOneCell() {
    var h = Harness()
    h.send(Msg.cell("r1", "x = 1", n: 1, from: 0, to: 50))
    h.settle()
    let running = SessionSnapshot(
      shellState: .running, cellState: .running, cellText: "x = 1", cellError: "", executionNum: 1,
      cellStartedAt: kt(0), cellFinishedAt: nil, notifyOn: .stop)
    var finished = running
    finished.cellState = .success
    finished.cellFinishedAt = kt(50)
    var idle = finished
    idle.shellState = .idle
    #expect(h.states == [running, finished, idle])
  }

  @Test func runAllIsOneRunWithOneNotification() {
    var h = Harness()
    h.send(Msg.cell("a", "a = 1", n: 1, from: 0, to: 400))
    h.send(Msg.cell("b", "b = 2", n: 2, from: 405, to: 900))
    h.send(Msg.cell("c", "c = 3", n: 3, from: 1_800, to: 2_500))  // 900 ms gap < 1 s grace
    h.settle()
    #expect(h.notifications.count == 1)
    let n = h.notifications[0]
    #expect(n.outcome == .finished)
    #expect(n.cellCount == 3)
    #expect(n.cell?.executionCount == 3)
    #expect(n.startedAt == kt(0))
    #expect(n.finishedAt == kt(2_500))
    #expect(n.durationMilliseconds == 2_500)
    #expect(h.states.filter { $0.shellState == .idle }.count == 1)
  }

  @Test func stopOnErrorAbortsDoNotExtendTheRun() {
    var h = Harness()
    h.send(Msg.cell("a", "a = 1", n: 1, from: 0, to: 10))
    h.send(
      Msg.cell("b", "raise ValueError('x')", n: 2, from: 11, to: 90, error: ("ValueError", "x")))
    // Aborted requests: busy and idle only, no execute_input.
    h.send(
      Msg.busy("c", at: 91), Msg.idle("c", at: 91), Msg.busy("d", at: 92), Msg.idle("d", at: 92))
    #expect(h.core.nextDeadline == ClockReading(milliseconds: 1_090))
    h.settle()
    #expect(h.notifications.count == 1)
    #expect(h.notifications[0].outcome == .failed)
    #expect(h.notifications[0].cellCount == 2)
    #expect(h.notifications[0].cell?.executionCount == 2)
    #expect(h.notifications[0].durationMilliseconds == 90)
    #expect(h.core.snapshot.cellState == .error)
    #expect(h.core.snapshot.executionNum == 2)
  }

  @Test func failedRunFeaturesTheFirstFailureEvenWhenLaterCellsSucceed() {
    // xeus defaults stop_on_error to false: later cells still run.
    var h = Harness()
    h.send(
      Msg.cell("a", "1/0", n: 1, from: 0, to: 10, error: ("ZeroDivisionError", "division by zero")))
    h.send(Msg.cell("b", "ok()", n: 2, from: 20, to: 30))
    h.settle()
    #expect(h.core.snapshot.cellState == .success)
    #expect(h.notifications.map(\.outcome) == [.failed])
    #expect(h.notifications.first?.cell?.code == "1/0")
  }

  @Test func silentExecutesChangeNothing() {
    var h = Harness()
    h.send(Msg.busy("s1", at: 0), Msg.idle("s1", at: 5))
    h.send(Msg.busy("s2", at: 10), Msg.error("s2", ename: "ZeroDivisionError", evalue: "x", at: 20))
    h.send(Msg.idle("s2", at: 21))
    h.settle()
    #expect(h.actions.isEmpty)
    #expect(!h.core.isRunInProgress)
  }

  @Test func chatterInterleavedWithACellIsIgnored() {
    var h = Harness()
    h.send(Msg.busy("r1", at: 0), Msg.input("r1", "train()", n: 1, at: 0))
    let before = h.actions.count
    for (i, type) in [
      "kernel_info_request", "complete_request", "comm_open", "comm_info_request",
      "inspect_request", "is_complete_request", "history_request", "shutdown_request",
    ].enumerated() {
      let t = Int64(10 + i * 10)
      h.send(Msg.busy("x\(i)", type: type, at: t))
      h.send(Msg.other("comm_msg", parent: "x\(i)", parentType: type, at: t))
      h.send(Msg.idle("x\(i)", type: type, at: t + 1))
    }
    // A status storm with no parent at all (frontends probing the kernel).
    for t in Int64(200)..<Int64(260) {
      h.send(
        .message(
          IOPubMessage(content: .status(.idle), date: kt(t)), at: ClockReading(milliseconds: t)))
    }
    #expect(h.actions.count == before)
    #expect(h.core.snapshot.cellState == .running)
    h.send(Msg.idle("r1", at: 1_000))
    #expect(h.core.snapshot.cellState == .success)
  }

  @Test func outputAndErrorsAfterIdleAreTolerated() {
    var h = Harness()
    h.send(Msg.cell("r1", "start_thread()", n: 1, from: 0, to: 10))
    let before = h.core.snapshot
    h.send(Msg.other("stream", parent: "r1", parentType: "execute_request", at: 300))
    h.send(Msg.error("r1", ename: "RuntimeError", evalue: "late", at: 310))
    h.send(Msg.idle("r1", at: 320))
    #expect(h.core.snapshot == before)
    #expect(h.core.nextDeadline == ClockReading(milliseconds: 1_010))
    h.settle()
    #expect(h.notifications.map(\.outcome) == [.finished])
  }

  @Test func cellsBackToBackBeyondGraceAreTwoRuns() {
    var h = Harness()
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 100))
    h.send(Msg.cell("b", "b", n: 2, from: 1_100, to: 1_200))  // exactly at the deadline
    h.settle()
    #expect(h.notifications.map(\.cellCount) == [1, 1])
    #expect(h.notifications.map { $0.cell?.executionCount } == [1, 2])
  }

  @Test func subshellCellOverlappingAMainShellCell() {
    var h = Harness()
    h.send(Msg.busy("main", at: 0), Msg.input("main", "long()", n: 1, at: 0))
    h.send(Msg.input("sub", "peek()", n: 2, subshell: "s-1", at: 100))
    #expect(h.core.snapshot.executionNum == 2)
    h.send(Msg.idle("sub", subshell: "s-1", at: 150))
    // The most recently started cell finished, the run goes on.
    #expect(h.core.snapshot.cellState == .success)
    #expect(h.core.snapshot.shellState == .running)
    #expect(h.core.nextDeadline == nil)
    h.send(
      Msg.error("main", ename: "ValueError", evalue: "boom", at: 1_500), Msg.idle("main", at: 1_500)
    )
    // Snapshot still describes the subshell cell; the run failed because of the main cell.
    #expect(h.core.snapshot.executionNum == 2)
    #expect(h.core.snapshot.cellState == .success)
    h.settle()
    #expect(h.notifications.count == 1)
    #expect(h.notifications[0].outcome == .failed)
    #expect(h.notifications[0].cell?.code == "long()")
    #expect(h.notifications[0].cellCount == 2)
  }

  @Test func nullOrEmptyParentIsIgnored() {
    var h = Harness()
    let orphanInputs: [IOPubMessage.Content] = [
      .executeInput(code: "x", executionCount: 1), .error(ename: "E", evalue: "v", traceback: []),
      .status(.idle), .status(.busy), .status(.starting), .other(msgType: "stream"),
    ]
    for (i, content) in orphanInputs.enumerated() {
      h.send(.message(IOPubMessage(content: content), at: ClockReading(milliseconds: Int64(i))))
    }
    #expect(h.actions.isEmpty)
    #expect(h.core.snapshot == SessionSnapshot(notifyOn: .stop))
  }

  @Test func executeInputOfANonExecuteParentIsIgnored() {
    var h = Harness()
    h.send(
      .message(
        IOPubMessage(
          content: .executeInput(code: "x", executionCount: 1), parentMsgId: "k",
          parentMsgType: "kernel_info_request"),
        at: ClockReading(milliseconds: 0)))
    #expect(h.actions.isEmpty)
  }

  @Test func aStartingCellClearsErrorAndFinishTime() {
    var h = Harness()
    h.send(
      Msg.cell("a", "1/0", n: 1, from: 0, to: 10, error: ("ZeroDivisionError", "division by zero")))
    #expect(h.core.snapshot.cellError == "ZeroDivisionError: division by zero")
    h.send(Msg.input("b", "next()", n: 2, at: 20))
    #expect(h.core.snapshot.cellError == "")
    #expect(h.core.snapshot.cellFinishedAt == nil)
    #expect(h.core.snapshot.cellStartedAt == kt(20))
    #expect(h.core.snapshot.cellState == .running)
  }

  @Test func cellTextIsBounded() {
    var h = Harness()
    let code = String(repeating: "x", count: 5_000)
    h.send(Msg.input("a", code, n: 1, at: 0))
    let text = h.core.snapshot.cellText ?? ""
    #expect(text.count == SessionSnapshot.cellTextLimit)
    #expect(text.hasSuffix(TextBounds.truncationMarker))
  }

  private static let starting = CoreInput.message(
    IOPubMessage(content: .status(.starting), date: kt(500)), at: ClockReading(milliseconds: 500))
  private static let shutdownReply = CoreInput.message(
    IOPubMessage(content: .shutdown, parentMsgId: "s", parentMsgType: "shutdown_request"),
    at: ClockReading(milliseconds: 400))

  /// A restart that was asked for (the kernel announced its shutdown) ends the cells
  /// in flight as cancelled.
  @Test func anAskedRestartCancelsCellsInFlight() {
    var h = Harness()
    h.send(Msg.input("a", "loop()", n: 1, at: 0))
    h.send(Self.shutdownReply, Self.starting)
    #expect(h.core.snapshot.cellState == .cancelled)
    h.settle()
    #expect(h.notifications.map(\.outcome) == [.cancelled])
    #expect(!h.core.shutdownSeen, "the new kernel has announced nothing")
  }

  /// Issue 11 item 2: a kernel killed under a Jupyter server is brought back at once;
  /// its `starting`, with no shutdown before it, is the death (attach mode's only sign).
  @Test(arguments: [NotifyOn.error, .none])
  func anUnaskedRestartIsADeath(notifyOn: NotifyOn) {
    var h = Harness(NotificationPolicy(notifyOn: notifyOn))
    h.send(Msg.busy("a", at: 0), Msg.input("a", "time.sleep(30)", n: 4, at: 0))
    h.send(Self.starting)
    #expect(h.core.snapshot.cellState == .error)
    #expect(h.core.snapshot.cellError == KernelDeath.restarted.cellError)
    #expect(
      h.notifications.map(\.outcome) == [.kernelDied(description: KernelDeath.restarted.cellError)])
    #expect(h.notifications.first?.cell?.executionCount == 4)
    // The next cells are the new kernel's.
    h.send(Msg.cell("b", "1/0", n: 1, from: 600, to: 700, error: ("ZeroDivisionError", "x")))
    h.settle()
    #expect(h.notifications.count == (notifyOn == .error ? 2 : 1))
  }

  /// The restarted kernel's `starting` can be lost while the SUB socket reconnects: its
  /// first message from another kernel process (another header `session`) says it too.
  @Test func aMessageFromAnotherKernelProcessIsTheRestart() {
    func busy(_ id: String, session: UInt64, at t: Int64) -> CoreInput {
      .message(
        IOPubMessage(
          content: .status(.busy), parentMsgId: id, parentMsgType: "kernel_info_request",
          date: kt(t), kernelSession: session),
        at: ClockReading(milliseconds: t))
    }
    func input(_ id: String, session: UInt64, at t: Int64) -> CoreInput {
      .message(
        IOPubMessage(
          content: .executeInput(code: "time.sleep(30)", executionCount: 2), parentMsgId: id,
          parentMsgType: "execute_request", date: kt(t), kernelSession: session),
        at: ClockReading(milliseconds: t))
    }
    var h = Harness(NotificationPolicy(notifyOn: .error))
    h.send(busy("k1", session: 1, at: 0), input("a", session: 1, at: 10))
    h.send(busy("k2", session: 1, at: 20))
    #expect(h.notifications.isEmpty, "the same kernel")
    h.send(busy("k3", session: 2, at: 900))
    #expect(
      h.notifications.map(\.outcome) == [.kernelDied(description: KernelDeath.restarted.cellError)])
    #expect(h.notifications.first?.cell?.executionCount == 2)
    // Its `starting`, arriving late, is the same restart: no second death.
    h.send(Self.starting)
    #expect(h.notifications.count == 1)
  }

  /// ipykernel answers kernel_info on its control thread, maybe before the shell
  /// publishes `starting`: only a cell makes a later `starting` a new kernel.
  @Test func aKernelsFirstStartingIsNoDeath() {
    var h = Harness()
    h.send(Msg.busy("k", type: "kernel_info_request", at: 400))
    h.send(Msg.idle("k", type: "kernel_info_request", at: 401))
    h.send(Self.starting)
    h.settle()
    #expect(h.notifications.isEmpty)
    #expect(h.core.snapshot.cellState == nil)
  }

  @Test func anIdleKernelRestartedUnaskedDiedWhileIdle() {
    var h = Harness()
    h.send(Msg.cell("a", "x = 1", n: 1, from: 0, to: 10))
    h.send(Self.starting)
    #expect(
      h.notifications.last?.outcome == .kernelDied(description: KernelDeath.restarted.cellError))
    #expect(h.notifications.last?.cell == nil)
  }

  @Test func unchangedStateIsNotRepublished() {
    var h = Harness()
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 10))
    let count = h.states.count
    h.send(
      Msg.busy("k", type: "kernel_info_request", at: 20),
      Msg.idle("k", type: "kernel_info_request", at: 21))
    h.send(
      .settingsChanged(NotificationPolicy(notifyOn: .stop), at: ClockReading(milliseconds: 22)))
    h.send(.remoteSettings(notifyOn: .stop, notifyChannel: nil, at: ClockReading(milliseconds: 23)))
    #expect(h.states.count == count)
  }
}

@Suite("BridgeCore: clock edges")
struct BridgeCoreClockTests {
  @Test(arguments: [(999, false), (1_000, true), (5_000, true)] as [(Int64, Bool)])
  func graceEndsAtItsDeadline(afterIdle: Int64, ended: Bool) {
    var h = Harness()
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 500))
    h.send(Msg.tick(500 + afterIdle))
    #expect(h.core.isRunInProgress == !ended)
    #expect(h.notifications.count == (ended ? 1 : 0))
    #expect(h.core.snapshot.shellState == (ended ? .idle : .running))
  }

  @Test func aMessagePastTheDeadlineEndsTheOldRunFirst() {
    var h = Harness()
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 500))
    // No tick came; the next cell starts well after the grace.
    h.send(Msg.input("b", "b", n: 2, at: 4_000))
    #expect(h.notifications.count == 1)
    #expect(h.notifications[0].cell?.executionCount == 1)
    #expect(h.core.isRunInProgress)
    #expect(h.core.snapshot.shellState == .running)
  }

  @Test func idleGraceComesFromSettings() {
    var h = Harness(NotificationPolicy(notifyOn: .stop, idleGraceMilliseconds: 250))
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 100))
    #expect(h.core.nextDeadline == ClockReading(milliseconds: 350))
  }

  @Test(arguments: [(4_999, true), (5_000, true), (5_001, false)] as [(Int64, Bool)])
  func minDuration(minimum: Int64, notifies: Bool) {
    var h = Harness(NotificationPolicy(notifyOn: .stop, minDurationMilliseconds: minimum))
    h.send(Msg.cell("a", "a", n: 1, from: 1_000, to: 6_000))
    h.settle()
    #expect(h.notifications.count == (notifies ? 1 : 0))
  }

  @Test func durationIsMeasuredOnTheBridgeClockNotKernelDates() {
    var h = Harness()
    h.send(
      .message(
        IOPubMessage(
          content: .executeInput(code: "a", executionCount: 1), parentMsgId: "a",
          parentMsgType: "execute_request", date: KernelTime(millisecondsSince1970: 0)),
        at: ClockReading(milliseconds: 10_000)))
    h.send(
      .message(
        IOPubMessage(
          content: .status(.idle), parentMsgId: "a", date: KernelTime(millisecondsSince1970: 99_000)
        ),
        at: ClockReading(milliseconds: 13_000)))
    h.settle()
    #expect(h.notifications.first?.durationMilliseconds == 3_000)
  }
}

@Suite("BridgeCore: notification policy")
struct BridgeCorePolicyTests {
  enum Ending: String, CaseIterable, Sendable { case success, error, interrupt }

  static let table: [(NotifyOn, Ending, RunOutcome?)] = [
    (.none, .success, nil), (.none, .error, nil), (.none, .interrupt, nil),
    (.error, .success, nil), (.error, .error, .failed), (.error, .interrupt, nil),
    (.stop, .success, .finished), (.stop, .error, .failed), (.stop, .interrupt, .cancelled),
  ]

  @Test(arguments: table)
  func notifyOn(_ notifyOn: NotifyOn, ending: Ending, expected: RunOutcome?) {
    var h = Harness(NotificationPolicy(notifyOn: notifyOn))
    let error: (String, String)? =
      switch ending {
      case .success: nil
      case .error: ("ValueError", "bad")
      case .interrupt: ("KeyboardInterrupt", "")
      }
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 10, error: error))
    h.settle()
    #expect(h.notifications.map(\.outcome) == (expected.map { [$0] } ?? []))
  }

  @Test func remoteNotifyOnIsOneShotAndItsResetIsPublished() {
    var h = Harness(NotificationPolicy(notifyOn: .none, notifyChannel: "ch-email"))
    h.send(
      .remoteSettings(notifyOn: .stop, notifyChannel: "ch-sms", at: ClockReading(milliseconds: 0)))
    #expect(h.states.last?.notifyOn == .stop)
    #expect(h.states.last?.notifyChannel == "ch-sms")
    h.send(Msg.cell("a", "a", n: 1, from: 10, to: 20))
    h.send(Msg.tick(1_020))
    #expect(h.notifications.count == 1)
    #expect(h.notifications[0].notifyChannel == "ch-sms")
    // Reset to the configured value, reported; the remote channel stays.
    #expect(h.states.last?.notifyOn == Optional(NotifyOn.none))
    #expect(h.states.last?.shellState == .idle)
    #expect(h.states.last?.notifyChannel == "ch-sms")
    h.send(Msg.cell("b", "b", n: 2, from: 2_000, to: 2_010))
    h.settle()
    #expect(h.notifications.count == 1)
  }

  @Test func remoteEchoOfTheCurrentValueArmsNothing() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(.remoteSettings(notifyOn: .stop, notifyChannel: nil, at: ClockReading(milliseconds: 0)))
    h.send(
      .settingsChanged(NotificationPolicy(notifyOn: .error), at: ClockReading(milliseconds: 1)))
    h.send(Msg.cell("a", "a", n: 1, from: 10, to: 20))
    h.settle()
    // No remote override was armed, so the new configured value rules.
    #expect(h.notifications.isEmpty)
    #expect(h.core.snapshot.notifyOn == .error)
  }

  @Test func remoteChangeDuringARunAppliesToThatRun() {
    var h = Harness(NotificationPolicy(notifyOn: .none))
    h.send(Msg.input("a", "long()", n: 1, at: 0))
    h.send(
      .remoteSettings(notifyOn: .error, notifyChannel: nil, at: ClockReading(milliseconds: 100)))
    h.send(Msg.error("a", ename: "E", evalue: "v", at: 200), Msg.idle("a", at: 200))
    h.settle()
    #expect(h.notifications.map(\.outcome) == [.failed])
    #expect(h.core.snapshot.notifyOn == Optional(NotifyOn.none))
  }

  @Test func directivesApplyFromTheirCellsRunOn() {
    var h = Harness(NotificationPolicy(notifyOn: .none))
    h.send(Msg.cell("a", "setup()", n: 1, from: 0, to: 10))
    h.settle(at: 5_000)
    #expect(h.notifications.isEmpty)
    h.send(
      Msg.cell("b", "# lmk: notify=stop channel=sms min=1\ntrain()", n: 2, from: 6_000, to: 8_000))
    #expect(h.core.snapshot.notifyOn == .stop)
    #expect(h.core.snapshot.notifyChannel == "sms")
    h.send(Msg.tick(9_000))
    #expect(h.notifications.count == 1)
    #expect(h.notifications[0].notifyChannel == "sms")
    // Later runs keep it; min=1 (second) filters a short one.
    h.send(Msg.cell("c", "quick()", n: 3, from: 10_000, to: 10_500))
    h.send(Msg.tick(11_500))
    #expect(h.notifications.count == 1)
    h.send(Msg.cell("d", "// lmk: min=0", n: 4, from: 12_000, to: 12_100))
    h.send(Msg.tick(13_100))
    #expect(h.notifications.count == 2)
  }

  @Test func remoteOverridesDirectivesUntilTheRunEnds() {
    var h = Harness(NotificationPolicy(notifyOn: .none))
    h.send(.remoteSettings(notifyOn: .error, notifyChannel: nil, at: ClockReading(milliseconds: 0)))
    h.send(Msg.cell("a", "# lmk: notify=stop", n: 1, from: 10, to: 20))
    #expect(h.core.snapshot.notifyOn == .error)
    h.settle(at: 5_000)
    #expect(h.notifications.isEmpty)
    #expect(h.core.snapshot.notifyOn == .stop)
  }
}

@Suite("BridgeCore: kernel lifecycle")
struct BridgeCoreLifecycleTests {
  static let death = KernelDeath.signaled(9)
  static let died = death.cellError

  @Test(arguments: NotifyOn.allCases, [true, false])
  func deathWhileACellRuns(notifyOn: NotifyOn, notifyOnDeath: Bool) {
    var h = Harness(NotificationPolicy(notifyOn: notifyOn, notifyOnDeath: notifyOnDeath))
    h.send(Msg.busy("a", at: 0), Msg.input("a", "allocate()", n: 4, at: 0))
    h.send(.kernelDied(Self.death, at: ClockReading(milliseconds: 3_000)))
    #expect(
      h.core.snapshot
        == SessionSnapshot(
          shellState: .idle, cellState: .error, cellText: "allocate()", cellError: Self.died,
          executionNum: 4, cellStartedAt: kt(0), cellFinishedAt: kt(3_000), notifyOn: notifyOn))
    #expect(h.core.nextDeadline == nil)
    #expect(!h.core.isRunInProgress)
    if notifyOnDeath {
      #expect(h.notifications.count == 1)
      let n = h.notifications[0]
      #expect(n.outcome == .kernelDied(description: Self.died))
      #expect(n.cell?.executionCount == 4)
      #expect(n.durationMilliseconds == 3_000)
      #expect(n.finishedAt == kt(3_000))
    } else {
      #expect(h.notifications.isEmpty)
    }
  }

  @Test func deathWhileIdle() {
    var h = Harness(NotificationPolicy(notifyOn: .none))
    h.send(.kernelDied(Self.death, at: ClockReading(milliseconds: 10)))
    #expect(h.core.snapshot.cellState == .error)
    #expect(h.core.snapshot.cellError == Self.died)
    #expect(h.notifications.count == 1)
    #expect(h.notifications[0].cell == nil)
    #expect(h.notifications[0].durationMilliseconds == nil)
  }

  @Test func deathDuringGraceEndsTheRunFirst() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 100))
    h.send(.kernelDied(Self.death, at: ClockReading(milliseconds: 600)))
    #expect(h.notifications.map(\.outcome) == [.finished, .kernelDied(description: Self.died)])
  }

  /// The core tells each cell's story once; the transcript only words it.
  @Test func theCellsStoryIsTold() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.cell("a", "1/0", n: 1, from: 0, to: 100, error: ("ZeroDivisionError", "x")))
    h.send(Msg.input("b", "forever()", n: 2, at: 200))
    h.send(Msg.input("c", "next()", n: 3, at: 300))
    h.send(.kernelExited(at: ClockReading(milliseconds: 400)))
    let error = KernelError(ename: "ZeroDivisionError", evalue: "x", traceback: [])
    #expect(
      h.story == [
        .cellStarted(executionCount: 1, code: "1/0"),
        .cellReportedError(executionCount: 1, error),
        .cellEnded(executionCount: 1, state: .error, idleSeen: true),
        .cellStarted(executionCount: 2, code: "forever()"),
        // b lost its idle: c started on the same shell.
        .cellEnded(executionCount: 2, state: .success, idleSeen: false),
        .cellStarted(executionCount: 3, code: "next()"),
        .cellEnded(executionCount: 3, state: .cancelled, idleSeen: false),
      ])
  }

  @Test func aDeathIsToldOnceWithItsCause() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.input("a", "boom()", n: 1, at: 0))
    h.send(.kernelDied(.signaled(9), at: ClockReading(milliseconds: 50)))
    h.send(.kernelDied(.signaled(9), at: ClockReading(milliseconds: 60)))
    #expect(h.story.last == .kernelDied(.signaled(9)))
    #expect(h.story.filter { if case .kernelDied = $0 { true } else { false } }.count == 1)
  }

  @Test func kernelExitDuringGraceNotifiesAtOnce() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.cell("a", "a", n: 1, from: 0, to: 100))
    let actions = h.core.handle(.kernelExited(at: ClockReading(milliseconds: 150)))
    #expect(actions.count == 2)
    guard case .publishState(let state) = actions.first, case .notify(let n) = actions.last else {
      Issue.record("expected the idle state, then the notification")
      return
    }
    #expect(state.shellState == .idle)
    #expect(n.outcome == .finished)
    #expect(n.durationMilliseconds == 100)
  }

  @Test func kernelExitUnderARunningCellCancelsIt() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.input("a", "forever()", n: 1, at: 0))
    h.send(.kernelExited(at: ClockReading(milliseconds: 2_000)))
    #expect(h.core.snapshot.cellState == .cancelled)
    #expect(h.core.snapshot.cellFinishedAt == kt(2_000))
    #expect(h.notifications.map(\.outcome) == [.cancelled])
  }

  @Test func shutdownOnIOPubIsExposed() {
    var h = Harness()
    #expect(!h.core.shutdownSeen)
    h.send(
      .message(
        IOPubMessage(content: .shutdown, parentMsgId: "s", parentMsgType: "shutdown_request"),
        at: ClockReading(milliseconds: 0)))
    #expect(h.core.shutdownSeen)
    #expect(h.actions.isEmpty)
  }

  @Test func interruptReachingTheKernelCancelsMainShellCellsOnly() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.input("main", "Sys.sleep(60)", n: 1, at: 0))
    h.send(Msg.input("sub", "peek()", n: 2, subshell: "s-1", at: 10))
    h.send(.interruptReachedKernel(at: ClockReading(milliseconds: 500)))
    // IRkernel: no error message, just the idle.
    h.send(Msg.idle("main", at: 520))
    h.send(Msg.idle("sub", subshell: "s-1", at: 900))
    #expect(h.core.snapshot.cellState == .success)  // the subshell cell is the latest
    h.settle()
    #expect(h.notifications.map(\.outcome) == [.cancelled])
    #expect(h.notifications.first?.cell?.code == "Sys.sleep(60)")
  }

  @Test func aCellThatFailedBeforeAnInterruptReachedTheKernelFailed() {
    // A batch runner raises at the failed cell and shuts the kernel down, interrupting
    // first; that SIGINT can reach the bridge before the cell's idle does. The cell's own
    // error came first: the run failed, it was not cancelled.
    var h = Harness(NotificationPolicy(notifyOn: .error))
    h.send(Msg.input("a", "raise RuntimeError('disk full')", n: 2, at: 0))
    h.send(Msg.error("a", ename: "RuntimeError", evalue: "disk full", at: 100))
    h.send(.interruptReachedKernel(at: ClockReading(milliseconds: 110)))
    h.send(Msg.idle("a", at: 120))
    #expect(h.core.snapshot.cellState == .error)
    #expect(h.core.snapshot.cellError == "RuntimeError: disk full")
    h.settle()
    #expect(h.notifications.map(\.outcome) == [.failed])
  }

  @Test func aCellWhoseIdleIsDatedBeforeTheInterruptFinished() {
    // A batch runner's shutdown interrupts first; its SIGINT can reach the bridge before
    // the idle the kernel had already sent. The idle's date says the cell had finished.
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.input("a", "train()", n: 3, at: 0))
    h.send(.interruptReachedKernel(at: ClockReading(milliseconds: 110), kernelTime: kt(105)))
    h.send(Msg.idle("a", at: 100))
    #expect(h.core.snapshot.cellState == .success)
    h.settle()
    #expect(h.notifications.map(\.outcome) == [.finished])
  }

  @Test func aCellStillRunningWhenTheInterruptCameIsCancelled() {
    var h = Harness(NotificationPolicy(notifyOn: .stop))
    h.send(Msg.input("a", "train()", n: 3, at: 0))
    h.send(.interruptReachedKernel(at: ClockReading(milliseconds: 110), kernelTime: kt(105)))
    h.send(Msg.idle("a", at: 130))
    #expect(h.core.snapshot.cellState == .cancelled)
  }

  @Test func interruptWithNoCellRunningChangesNothing() {
    var h = Harness()
    h.send(.interruptReachedKernel(at: ClockReading(milliseconds: 0)))
    h.send(Msg.cell("a", "a", n: 1, from: 10, to: 20))
    h.settle()
    #expect(h.notifications.map(\.outcome) == [.finished])
  }
}

@Suite("BridgeCore: robustness")
struct BridgeCoreRobustnessTests {
  @Test func aRepeatedDeathReportIsIgnoredUntilACellRuns() {
    var h = Harness()
    let died = CoreInput.kernelDied(
      .exited(status: 1), at: ClockReading(milliseconds: 0))
    h.send(died, died)
    #expect(h.notifications.count == 1)
    h.send(Msg.cell("a", "a", n: 1, from: 10, to: 20))
    h.send(
      .kernelDied(.exited(status: 1), at: ClockReading(milliseconds: 30)))
    #expect(h.notifications.map(\.outcome).filter { $0 != .finished }.count == 2)
  }

  @Test func cellsInFlightAreBounded() {
    var h = Harness()
    let limit = BridgeCore.maximumCellsInFlight
    // Execute inputs on as many subshells (a new cell on the same shell would end the
    // earlier one), whose idle never comes: the oldest are forgotten.
    for i in 0...limit {
      h.send(Msg.input("lost-\(i)", "x", n: i, subshell: "s-\(i)", at: Int64(i)))
    }
    // The oldest was evicted: its late idle no longer counts.
    h.send(Msg.idle("lost-0", subshell: "s-0", at: 10_000))
    #expect(h.core.snapshot.cellState == .running)
    // Every tracked one still ends normally; then the run can end.
    for i in 1...limit { h.send(Msg.idle("lost-\(i)", subshell: "s-\(i)", at: 10_000)) }
    #expect(h.core.snapshot.cellState == .success)
    h.settle()
    #expect(h.notifications.first?.cellCount == limit + 1)
  }

  @Test func escapeCutByTheBoundDoesNotEatTheMarker() {
    let evalue = String(repeating: "v", count: KernelError.summaryLimit - 3) + "\u{1B}[31mred"
    let e = KernelError(ename: "E", evalue: evalue, traceback: [])
    #expect(!e.evalue.contains("\u{1B}"))
    #expect(e.summary.hasSuffix(TextBounds.truncationMarker))
  }
}
