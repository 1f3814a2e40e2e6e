/// Turns IOPub messages into the lines `jupyter-lmk attach` prints: a readable
/// live view of what the kernel executes. Pure; the caller prints.
public struct ExecutionTranscript: Sendable {
  private var cells: [String: Int] = [:]

  public init() {}

  /// The line for a message, or nil when it is not part of a cell's story.
  public mutating func line(for message: IOPubMessage) -> String? {
    switch message.content {
    case .executeInput(let code, let count):
      guard let parent = message.parentMsgId else { return nil }
      cells[parent] = count
      let firstLine = code.split(separator: "\n", omittingEmptySubsequences: true).first ?? ""
      return "cell [\(count)] started: \(firstLine.prefix(80))"
    case .error(let ename, let evalue, let traceback):
      guard let parent = message.parentMsgId, let count = cells[parent] else { return nil }
      let error = KernelError(ename: ename, evalue: evalue, traceback: traceback)
      if error.isInterrupt { return "cell [\(count)] interrupted (\(error.ename))" }
      return "cell [\(count)] error: \(error.summary)"
    case .status(.idle):
      guard let parent = message.parentMsgId, let count = cells.removeValue(forKey: parent) else {
        return nil
      }
      return "cell [\(count)] idle"
    case .shutdown:
      return "kernel shutting down"
    case .welcome, .status, .other:
      return nil
    }
  }
}
