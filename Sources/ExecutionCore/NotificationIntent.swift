/// How a run ended, as the notification words it.
public enum RunOutcome: Sendable, Equatable {
  /// Every cell succeeded.
  case finished
  /// At least one cell raised an error (an interrupt is not a failure).
  case failed
  /// A cell was interrupted (or the kernel shut down under a running cell) and none failed.
  case cancelled
  /// The kernel died; the description says how (`KernelDied: killed by signal 9 …`).
  case kernelDied(description: String)
  /// Not an end: the kernel's memory crossed `memoryWarning` while the run went on.
  case memoryWarning(MemoryWarning)
}

/// One finished cell, as the notification shows it.
public struct CellReport: Sendable, Equatable {
  public var executionCount: Int
  /// The cell's code, cut to `SessionSnapshot.cellTextLimit`.
  public var code: String
  public var state: CellState
  /// The error that made the cell fail or be cancelled, if the kernel sent one.
  public var error: KernelError?
  public var startedAt: KernelTime?
  public var finishedAt: KernelTime?

  public init(
    executionCount: Int, code: String, state: CellState, error: KernelError? = nil,
    startedAt: KernelTime? = nil, finishedAt: KernelTime? = nil
  ) {
    self.executionCount = executionCount
    self.code = code
    self.state = state
    self.error = error
    self.startedAt = startedAt
    self.finishedAt = finishedAt
  }
}

/// A notification the policy decided to send; `NotificationRenderer` turns it into an event.
public struct NotificationIntent: Sendable, Equatable {
  public var outcome: RunOutcome
  /// The cell the message is about: the run's first failed cell when it failed, else its
  /// last cancelled cell when cancelled, else its most recently started cell; for a
  /// death, the cell that was running (nil when the kernel died idle).
  public var cell: CellReport?
  /// How many cells the run had (a "Run All" of 30 cells is one run).
  public var cellCount: Int
  /// Kernel time of the run's first cell start, and of its end (last idle, or the
  /// estimated time of death).
  public var startedAt: KernelTime?
  public var finishedAt: KernelTime?
  /// Run duration on the bridge's monotonic clock; nil when no run was in progress.
  public var durationMilliseconds: Int64?
  /// The channel in force at the end of the run (id or name; nil = account default).
  public var notifyChannel: String?
  /// The run's peak memory, where known (launcher mode).
  public var memory: RunMemory?

  public init(
    outcome: RunOutcome, cell: CellReport?, cellCount: Int, startedAt: KernelTime?,
    finishedAt: KernelTime?, durationMilliseconds: Int64?, notifyChannel: String?,
    memory: RunMemory? = nil
  ) {
    self.outcome = outcome
    self.cell = cell
    self.cellCount = cellCount
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.durationMilliseconds = durationMilliseconds
    self.notifyChannel = notifyChannel
    self.memory = memory
  }
}
