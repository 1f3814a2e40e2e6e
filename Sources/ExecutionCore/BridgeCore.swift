/// The pure state machine of docs/BEHAVIOUR.md, "Semantics" IOPub messages, clock readings and
/// kernel-lifecycle events in; session states, notification intents and the cells'
/// story (`ExecutionEvent`, which the transcript prints) out.
///
/// It owns no socket, clock or file, so every rule is a table-driven test. The
/// runtime feeds every input through `handle(_:)`, performs the returned actions
/// in order, and feeds a `.tick` at `nextDeadline` so idle grace can end a run.
///
/// Rules, in short:
/// - Requests are tracked by their parent `msg_id`. A *cell* is a request that
///   produced an `execute_input`; it ends at the `idle` status with that parent.
///   Silent and aborted executes (no `execute_input`), kernel_info, comm,
///   completion and control traffic therefore change nothing. Messages without a
///   parent (`null` or empty parent header) are ignored, as is output after idle.
/// - A cell ends `error` when an `error` message with its parent arrived, `cancelled`
///   when that error is an interrupt (`KernelError.interruptNames`) or, with no error,
///   an interrupt reached the kernel while it ran (launcher mode), else `success`.
/// - Cells on one shell (same `subshell_id`, or none) run one after another: a cell's
///   `execute_input` ends any earlier cell in flight on its shell, whose idle was lost.
/// - Cells may overlap (JEP 91 subshells). A *run* starts when a cell starts while no
///   run is in progress and ends when no cell has been in flight for `idleGrace`;
///   "Run All" is one run. The session's cell fields describe the most recently
///   started cell; the run failed if any of its cells failed.
/// - At the end of a run `notifyOn` decides (`stop` always, `error` when it failed,
///   `none` never), if it lasted at least `minDuration`. Then a remote `notifyOn`
///   (one-shot) returns to the configured value.
/// - A kernel death is reported as an error and notified whenever `notifyOnDeath` is on.
///   A `starting` status after the kernel ran a cell, with no shutdown announced
///   before it, is a death too: Jupyter's restarter brought a dead kernel back.
/// - Memory readings (launcher mode) give each notification the run's peak, and
///   one warning per run when it reaches `memoryWarning` of the limit (`MemoryTracker`).
public struct BridgeCore: Sendable {
  /// The configured settings (built-in defaults, config file, notebook metadata).
  public private(set) var settings: NotificationPolicy
  /// The current session state; the runtime creates the LMK session with it.
  public private(set) var snapshot: SessionSnapshot
  /// An IOPub shutdown announcement (`shutdown_reply`, xeus `shutdown`) was seen: the
  /// launcher's death rule treats a later non-zero exit as a shutdown, not a death.
  public private(set) var shutdownSeen = false

  private var directive = CellDirective()
  private var remoteNotifyOn: NotifyOn?
  private var remoteChannel: String?
  private var published: SessionSnapshot
  private var inFlight: [String: TrackedCell] = [:]
  private var latestCellId: String?
  private var cellsStarted = 0
  /// A death was reported and no cell ran since: a second report would be a duplicate.
  private var deathReported = false
  /// This kernel ran a cell since it (re)started: a later `starting` is a new kernel,
  /// not this one's first words (ipykernel may answer kernel_info on its control
  /// thread before it publishes `starting`).
  private var kernelRanACell = false
  /// The `kernelSession` of the latest message that had one.
  private var kernelSession: UInt64?
  private var run: Run?
  /// The latest dated message: kernel time ↔ bridge clock, to date a death.
  private var lastDated: (kernel: KernelTime, clock: ClockReading)?
  private var memory = MemoryTracker()

  public init(settings: NotificationPolicy = .defaults) {
    self.settings = settings
    let initial = SessionSnapshot(
      notifyOn: settings.notifyOn, notifyChannel: settings.notifyChannel)
    self.snapshot = initial
    self.published = initial
  }

  /// Settings in force now: configured, then cell directives, then remote changes.
  public var effectiveSettings: NotificationPolicy {
    var s = directive.applied(to: settings)
    if let remoteNotifyOn { s.notifyOn = remoteNotifyOn }
    if let remoteChannel { s.notifyChannel = remoteChannel }
    return s
  }

  /// The cell directives in force (merged, from the cells that ran so far).
  public var cellDirective: CellDirective { directive }
  /// The remote changes in force: the one-shot `notifyOn` and the channel.
  public var remoteChanges: (notifyOn: NotifyOn?, channel: String?) {
    (remoteNotifyOn, remoteChannel)
  }

  /// When the runtime must feed the next `.tick`: the end of the current idle grace.
  /// nil while cells run or no run is in progress. A tick at or after it ends the run.
  public var nextDeadline: ClockReading? {
    guard inFlight.isEmpty, let end = run?.lastCellEnd else { return nil }
    return end.adding(milliseconds: settings.idleGraceMilliseconds)
  }

  /// At most this many cells are tracked in flight; beyond it the oldest is forgotten
  /// (its idle was lost), so a misbehaving kernel cannot grow memory without bound.
  /// Real overlap (subshells) stays far below it.
  public static let maximumCellsInFlight = 256

  /// Whether a run is in progress (cells in flight or inside the idle grace).
  public var isRunInProgress: Bool { run != nil }

  /// Applies one input and returns what the runtime must do, in order.
  public mutating func handle(_ input: CoreInput) -> [CoreAction] {
    var actions: [CoreAction] = []
    let now = input.time
    // Any input past the grace deadline ends that run first, tick or not.
    if let deadline = nextDeadline, now >= deadline {
      endRun(at: now, into: &actions)
    }
    switch input {
    case .message(let message, let at):
      if let date = message.date { lastDated = (date, at) }
      guard apply(message, at: at, into: &actions) else { return actions }
    case .tick:
      break
    case .kernelDied(let death, let at):
      kernelDied(death, at: at, into: &actions)
    case .kernelExited(let at):
      cancelCellsInFlight(at: at, into: &actions)
      endRun(at: at, into: &actions)
    case .interruptReachedKernel(_, let kernelTime):
      // Subshell cells keep running through an interrupt (JEP 91).
      for (id, cell) in inFlight where cell.subshellId == nil && cell.interrupt == nil {
        inFlight[id]?.interrupt = Interrupt(at: kernelTime)
      }
    case .remoteSettings(let notifyOn, let notifyChannel, _):
      // The app echoes the whole state back: only a real change arms the one-shot.
      if let notifyOn, notifyOn != effectiveSettings.notifyOn { remoteNotifyOn = notifyOn }
      if let notifyChannel, !notifyChannel.isEmpty { remoteChannel = notifyChannel }
    case .settingsChanged(let newSettings, _):
      settings = newSettings
    case .memory(let reading, _):
      if memory.record(reading) { actions.append(.record(.memoryChanged(reading))) }
    }
    publishIfChanged(into: &actions)
    warnIfMemoryHigh(into: &actions)
    return actions
  }

  /// Returns whether the snapshot may have changed.
  private mutating func apply(
    _ message: IOPubMessage, at: ClockReading, into actions: inout [CoreAction]
  ) -> Bool {
    var changed = false
    if let session = message.kernelSession {
      if let known = kernelSession, known != session {
        // Another kernel process: the `starting` of a restart can be lost in the gap.
        changed = newKernel(at: at, into: &actions)
      }
      kernelSession = session
    }
    return apply(content: message, at: at, into: &actions) || changed
  }

  /// A new kernel began (its `starting`, or messages from another kernel process).
  /// Unasked (no shutdown announced by one that ran a cell): the old one died and
  /// Jupyter's restarter brought it back. Returns whether the snapshot may have changed.
  private mutating func newKernel(at: ClockReading, into actions: inout [CoreAction]) -> Bool {
    let diedUnasked = kernelRanACell && !shutdownSeen
    kernelRanACell = false
    shutdownSeen = false
    if diedUnasked {
      kernelDied(.restarted, at: at, into: &actions)
      return false  // the death published its state
    }
    // Asked (a restart after shutdown): cells in flight will never see their idle.
    guard !inFlight.isEmpty else { return false }
    cancelCellsInFlight(at: at, into: &actions)
    return true
  }

  private mutating func apply(
    content message: IOPubMessage, at: ClockReading, into actions: inout [CoreAction]
  ) -> Bool {
    switch message.content {
    case .executeInput(let code, let executionCount):
      guard let id = message.parentMsgId, inFlight[id] == nil,
        message.parentMsgType == nil || message.parentMsgType == "execute_request"
      else { return false }
      endCellsLosingTheirIdle(
        toStartOn: message.subshellId, at: at, date: message.date, into: &actions)
      let directiveProblems = startCell(
        id: id, code: code, executionCount: executionCount, message: message, at: at)
      actions.append(
        .record(.cellStarted(executionCount: executionCount, code: inFlight[id]?.code ?? "")))
      for problem in directiveProblems {
        actions.append(.record(.directiveIgnored(executionCount: executionCount, problem: problem)))
      }
      return true
    case .error(let ename, let evalue, let traceback):
      guard let id = message.parentMsgId, let cell = inFlight[id], cell.error == nil
      else { return false }
      let error = KernelError(ename: ename, evalue: evalue, traceback: traceback)
      inFlight[id]?.error = error
      actions.append(.record(.cellReportedError(executionCount: cell.executionCount, error)))
      return false
    case .status(.idle):
      guard let id = message.parentMsgId, let cell = inFlight.removeValue(forKey: id) else {
        return false
      }
      finishNormally(
        cell, id: id, finishedAt: message.date, at: at, idleSeen: true, into: &actions)
      return true
    case .status(.starting):
      guard message.parentMsgId == nil else { return false }
      return newKernel(at: at, into: &actions)
    case .shutdown:
      shutdownSeen = true
      actions.append(.record(.shutdownAnnounced))
      return false
    case .status(.busy), .welcome, .other:
      return false
    }
  }

  /// Returns the problems of the cell's directive (keys it ignored), for the log.
  private mutating func startCell(
    id: String, code: String, executionCount: Int, message: IOPubMessage, at: ClockReading
  ) -> [String] {
    if run == nil {
      run = Run(startClock: at, startedAt: message.date)
      memory.runStarted()
    }
    run?.cellCount += 1
    run?.lastCellEnd = nil
    cellsStarted += 1
    deathReported = false
    kernelRanACell = true
    if inFlight.count >= Self.maximumCellsInFlight,
      let oldest = inFlight.min(by: { $0.value.order < $1.value.order })?.key
    {
      inFlight.removeValue(forKey: oldest)
    }
    let text = TextBounds.truncated(code, to: SessionSnapshot.cellTextLimit)
    inFlight[id] = TrackedCell(
      order: cellsStarted, executionCount: executionCount, code: text,
      subshellId: message.subshellId, startedAt: message.date)
    latestCellId = id
    let cellDirective = CellDirective.parse(code: code)
    if let cellDirective { directive.merge(cellDirective) }
    snapshot.shellState = .running
    snapshot.cellState = .running
    snapshot.cellText = text
    snapshot.cellError = ""
    snapshot.executionNum = executionCount
    snapshot.cellStartedAt = message.date
    snapshot.cellFinishedAt = nil
    return cellDirective?.problems ?? []
  }

  /// A cell that ended (its idle, or the next cell on its shell): error, cancelled or success.
  private mutating func finishNormally(
    _ cell: TrackedCell, id: String, finishedAt: KernelTime?, at: ClockReading, idleSeen: Bool,
    into actions: inout [CoreAction]
  ) {
    // The cell's own error wins over an interrupt that reached the kernel later: a
    // batch runner interrupts before its shutdown, maybe before this idle got here.
    let state: CellState =
      if let error = cell.error { error.isInterrupt ? .cancelled : .error } else {
        cell.interrupt?.cancels(finishedAt: finishedAt) == true ? .cancelled : .success
      }
    finish(
      cell, id: id, state: state, cellError: state == .error ? cell.error?.summary ?? "" : "",
      finishedAt: finishedAt, at: at, idleSeen: idleSeen, into: &actions)
  }

  /// docs/BEHAVIOUR.md, "Semantics" cells on one shell (the same `subshell_id`, or none) run one after
  /// another, so a cell starting there ends any earlier one still in flight on it: that
  /// cell finished and its idle was lost (a kernel's send queue can drop any message).
  private mutating func endCellsLosingTheirIdle(
    toStartOn subshellId: String?, at: ClockReading, date: KernelTime?,
    into actions: inout [CoreAction]
  ) {
    let ended = inFlight.filter { $0.value.subshellId == subshellId }
      .sorted { $0.value.order < $1.value.order }
    for (id, cell) in ended {
      inFlight.removeValue(forKey: id)
      finishNormally(cell, id: id, finishedAt: date, at: at, idleSeen: false, into: &actions)
    }
  }

  /// Records a cell that left `inFlight`.
  private mutating func finish(
    _ cell: TrackedCell, id: String, state: CellState, cellError: String,
    finishedAt: KernelTime?, at: ClockReading, idleSeen: Bool, into actions: inout [CoreAction]
  ) {
    actions.append(
      .record(.cellEnded(executionCount: cell.executionCount, state: state, idleSeen: idleSeen)))
    let report = CellReport(
      executionCount: cell.executionCount, code: cell.code, state: state, error: cell.error,
      startedAt: cell.startedAt, finishedAt: finishedAt)
    run?.record(report, order: cell.order)
    if let finishedAt, run?.finishedAt.map({ $0 < finishedAt }) ?? true {
      run?.finishedAt = finishedAt
    }
    if inFlight.isEmpty { run?.lastCellEnd = at }
    if id == latestCellId {
      snapshot.cellState = state
      snapshot.cellError = cellError
      snapshot.cellFinishedAt = finishedAt
    }
  }

  /// Ends cells that can no longer finish (the kernel exited or restarted) as cancelled.
  private mutating func cancelCellsInFlight(at: ClockReading, into actions: inout [CoreAction]) {
    let cells = inFlight.sorted { $0.value.order < $1.value.order }
    inFlight.removeAll()
    let when = estimatedKernelTime(at: at)
    for (id, cell) in cells {
      finish(
        cell, id: id, state: .cancelled, cellError: "", finishedAt: when, at: at,
        idleSeen: false, into: &actions)
    }
  }

  /// Ends the run in progress (all its cells finished) and applies the notification policy.
  private mutating func endRun(at now: ClockReading, into actions: inout [CoreAction]) {
    guard let run else { return }
    self.run = nil
    let runMemory = memory.runEnded()
    let policy = effectiveSettings
    let outcome: RunOutcome =
      run.firstFailed != nil ? .failed : run.lastCancelled != nil ? .cancelled : .finished
    let duration = (run.lastCellEnd ?? now).milliseconds(since: run.startClock)
    let wanted: Bool
    switch policy.notifyOn {
    case .stop: wanted = true
    case .error: wanted = outcome == .failed
    case .none: wanted = false
    }
    snapshot.shellState = .idle
    remoteNotifyOn = nil
    publishIfChanged(into: &actions)
    guard wanted, duration >= policy.minDurationMilliseconds else { return }
    actions.append(
      .notify(
        NotificationIntent(
          outcome: outcome,
          cell: run.firstFailed ?? run.lastCancelled?.report ?? run.latest?.report,
          cellCount: run.cellCount, startedAt: run.startedAt, finishedAt: run.finishedAt,
          durationMilliseconds: duration, notifyChannel: policy.notifyChannel,
          memory: runMemory)))
  }

  private mutating func kernelDied(
    _ death: KernelDeath, at: ClockReading, into actions: inout [CoreAction]
  ) {
    guard !deathReported else { return }
    deathReported = true
    actions.append(.record(.kernelDied(death)))
    // A run already inside its grace completed: it gets its own decision first.
    if inFlight.isEmpty { endRun(at: at, into: &actions) }
    let cellError = TextBounds.truncated(death.cellError, to: KernelError.summaryLimit)
    let diedAt = estimatedKernelTime(at: at)
    let running = inFlight.max { $0.value.order < $1.value.order }
    inFlight.removeAll()
    let policy = effectiveSettings
    let dyingRun = run
    run = nil
    let runMemory = memory.runEnded()
    remoteNotifyOn = nil
    if let running, running.key == latestCellId {
      snapshot.cellFinishedAt = diedAt
    }
    snapshot.shellState = .idle
    snapshot.cellState = .error
    snapshot.cellError = cellError
    publishIfChanged(into: &actions)
    guard settings.notifyOnDeath else { return }
    let cell = running.map {
      CellReport(
        executionCount: $0.value.executionCount, code: $0.value.code, state: .error,
        startedAt: $0.value.startedAt, finishedAt: diedAt)
    }
    actions.append(
      .notify(
        NotificationIntent(
          outcome: .kernelDied(description: cellError), cell: cell,
          cellCount: dyingRun?.cellCount ?? 0, startedAt: dyingRun?.startedAt, finishedAt: diedAt,
          durationMilliseconds: dyingRun.map { at.milliseconds(since: $0.startClock) },
          notifyChannel: policy.notifyChannel, memory: runMemory)))
  }

  /// The run's one memory warning, when a reading (or the start of a run) put it
  /// at `memoryWarning` of the limit; sent whatever `notifyOn` says, as asked for.
  private mutating func warnIfMemoryHigh(into actions: inout [CoreAction]) {
    guard let run, let warning = memory.warning(at: effectiveSettings.memoryWarning) else { return }
    let running = inFlight.max { $0.value.order < $1.value.order }?.value
    let cell =
      running.map {
        CellReport(
          executionCount: $0.executionCount, code: $0.code, state: .running,
          startedAt: $0.startedAt)
      } ?? run.latest?.report
    actions.append(
      .notify(
        NotificationIntent(
          outcome: .memoryWarning(warning), cell: cell, cellCount: run.cellCount,
          startedAt: run.startedAt, finishedAt: nil, durationMilliseconds: nil,
          notifyChannel: effectiveSettings.notifyChannel)))
  }

  /// The kernel's clock at `at`, from the latest dated message; nil before any.
  private func estimatedKernelTime(at: ClockReading) -> KernelTime? {
    guard let lastDated else { return nil }
    let elapsed = max(0, at.milliseconds(since: lastDated.clock))
    return KernelTime(
      millisecondsSince1970: lastDated.kernel.millisecondsSince1970.saturatingAdding(elapsed))
  }

  private mutating func publishIfChanged(into actions: inout [CoreAction]) {
    let policy = effectiveSettings
    snapshot.notifyOn = policy.notifyOn
    snapshot.notifyChannel = policy.notifyChannel
    guard snapshot != published else { return }
    published = snapshot
    actions.append(.publishState(snapshot))
  }
}

/// A cell between its `execute_input` and its `idle`.
private struct TrackedCell: Sendable {
  var order: Int
  var executionCount: Int
  var code: String
  var subshellId: String?
  var startedAt: KernelTime?
  var error: KernelError?
  var interrupt: Interrupt?
}

/// An interrupt that reached the kernel while a cell was in flight.
private struct Interrupt: Sendable {
  /// When, on the kernel's clock; nil when unknown.
  var at: KernelTime?

  /// The SIGINT can reach the bridge before the idle the kernel sent just before
  /// it: a cell whose idle is dated before the interrupt had already finished.
  func cancels(finishedAt: KernelTime?) -> Bool {
    guard let at, let finishedAt else { return true }
    return finishedAt >= at
  }
}

/// A run of cells, from the first cell's start to the end of its idle grace.
private struct Run: Sendable {
  struct Ordered: Sendable {
    var order: Int
    var report: CellReport
  }

  var startClock: ClockReading
  var startedAt: KernelTime?
  var finishedAt: KernelTime?
  /// When the last cell in flight ended; nil while a cell runs.
  var lastCellEnd: ClockReading?
  var cellCount = 0
  var firstFailed: CellReport?
  var lastCancelled: Ordered?
  var latest: Ordered?

  mutating func record(_ report: CellReport, order: Int) {
    switch report.state {
    case .error where firstFailed == nil: firstFailed = report
    case .cancelled where lastCancelled.map({ $0.order < order }) ?? true:
      lastCancelled = Ordered(order: order, report: report)
    default: break
    }
    if latest.map({ $0.order < order }) ?? true { latest = Ordered(order: order, report: report) }
  }
}
