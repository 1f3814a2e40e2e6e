/// Whether a run of cells is in progress (`shellState` of the LMK session).
public enum ShellState: String, Sendable, Equatable {
  case idle, running
}

/// The state of the most recently started cell (`cellState` of the LMK session).
public enum CellState: String, Sendable, Equatable {
  case running, success, error, cancelled
}

/// The part of the LMK `PartialJupyterSessionState` the core owns.
///
/// The runtime adds `type`, `notebookName` and `url`, resolves `notifyChannel`
/// names to ids, renders dates with `KernelTime.iso8601`, and leaves nil fields
/// out of the request. PATCH cannot clear a field (docs/BEHAVIOUR.md, "Semantics"), so a
/// starting cell sets `cellError` to `""` and `cellFinishedAt` to nil, which
/// the runtime omits (a finish time older than `cellStartedAt` then means "not yet").
public struct SessionSnapshot: Sendable, Equatable {
  public var shellState: ShellState
  /// nil until the first cell starts.
  public var cellState: CellState?
  /// The cell's code, cut to `SessionSnapshot.cellTextLimit` characters.
  public var cellText: String?
  /// `"<ename>: <evalue>"` for an `error` cell, `""` otherwise once a cell ran.
  public var cellError: String?
  public var executionNum: Int?
  public var cellStartedAt: KernelTime?
  public var cellFinishedAt: KernelTime?
  /// In force now: configured, overridden by cell directives and remote changes.
  public var notifyOn: NotifyOn
  /// A channel id or name as configured; nil = the account's default.
  public var notifyChannel: String?

  /// Limit of `cellText` in characters (a marker shows a cut): enough to recognise a
  /// cell in the LMK app, small enough for every update to stay cheap.
  public static let cellTextLimit = 2_000

  public init(
    shellState: ShellState = .idle, cellState: CellState? = nil, cellText: String? = nil,
    cellError: String? = nil, executionNum: Int? = nil, cellStartedAt: KernelTime? = nil,
    cellFinishedAt: KernelTime? = nil, notifyOn: NotifyOn = .none, notifyChannel: String? = nil
  ) {
    self.shellState = shellState
    self.cellState = cellState
    self.cellText = cellText
    self.cellError = cellError
    self.executionNum = executionNum
    self.cellStartedAt = cellStartedAt
    self.cellFinishedAt = cellFinishedAt
    self.notifyOn = notifyOn
    self.notifyChannel = notifyChannel
  }
}
