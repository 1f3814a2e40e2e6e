import ExecutionCore

/// Turns IOPub messages into the lines `jupyter-lmk attach` prints: a readable
/// live view of what the kernel executes. Pure; the caller prints.
///
/// It remembers the cells in flight to name them in later lines, bounded whatever a
/// kernel sends (docs/BEHAVIOUR.md, "Semantics"): as in the core, a cell starting on a shell (the same
/// `subshell_id`, or none) forgets the earlier cell on it, whose idle was lost, and at
/// most `maximumTrackedCells` are kept (the oldest go first).
public struct ExecutionTranscript: Sendable {
  private struct Cell: Sendable {
    var count: Int
    var subshellId: String?
    var order: Int
  }

  /// As many as the core tracks (`BridgeCore.maximumCellsInFlight`).
  public static let maximumTrackedCells = BridgeCore.maximumCellsInFlight

  private var cells: [String: Cell] = [:]
  private var started = 0

  public init() {}

  /// How many cells are remembered now (for tests and bounds checks).
  public var trackedCells: Int { cells.count }

  /// The line for a message, or nil when it is not part of a cell's story.
  public mutating func line(for message: IOPubMessage) -> String? {
    switch message.content {
    case .executeInput(let code, let count):
      guard let parent = message.parentMsgId else { return nil }
      remember(parent, count: count, subshellId: message.subshellId)
      let firstLine = code.split(separator: "\n", omittingEmptySubsequences: true).first ?? ""
      return "cell [\(count)] started: \(firstLine.prefix(80))"
    case .error(let ename, let evalue, let traceback):
      guard let parent = message.parentMsgId, let count = cells[parent]?.count else { return nil }
      let error = KernelError(ename: ename, evalue: evalue, traceback: traceback)
      if error.isInterrupt { return "cell [\(count)] interrupted (\(error.ename))" }
      return "cell [\(count)] error: \(error.summary)"
    case .status(.idle):
      guard let parent = message.parentMsgId, let cell = cells.removeValue(forKey: parent) else {
        return nil
      }
      return "cell [\(cell.count)] idle"
    case .status(.starting):
      // A restarted kernel: no cell in flight will see its idle.
      if message.parentMsgId == nil { cells.removeAll() }
      return nil
    case .shutdown:
      return "kernel shutting down"
    case .welcome, .status, .other:
      return nil
    }
  }

  private mutating func remember(_ parent: String, count: Int, subshellId: String?) {
    cells = cells.filter { $0.value.subshellId != subshellId }
    if cells.count >= Self.maximumTrackedCells,
      let oldest = cells.min(by: { $0.value.order < $1.value.order })?.key
    {
      cells.removeValue(forKey: oldest)
    }
    started &+= 1  // wraps only after 2^63 cells; order is a tie-breaker, not a count
    cells[parent] = Cell(count: count, subshellId: subshellId, order: started)
  }
}
