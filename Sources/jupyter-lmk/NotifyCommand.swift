import ArgumentParser
import BridgeRuntime
import ExecutionCore
import Foundation

/// `jupyter-lmk notify`: from a terminal, arm a running bridge to notify when the
/// current run ends (docs/BEHAVIOUR.md, "Local control").
struct NotifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "notify",
    abstract: "Tell a running bridge to notify when the current run ends.",
    discussion: """
      A one-shot change, as one made in the LMK app: after the next run ends, \
      notifyOn returns to the configured value. Finds the bridge in Jupyter's \
      runtime directory; with one bridge running no flag is needed.
      """)

  @Argument(help: "When to notify: stop (always), error (if the run fails), none.")
  var notifyOn: NotifyOn

  @Option(help: "The channel (id or name) to notify on, from now on.")
  var channel: String?

  @Flag(
    name: .customLong("existing"),
    help: "The most recently started bridge, or the one of kernel ID.")
  var existing = false

  @Argument(help: "With --existing: a kernel id, or a prefix of one.")
  var id: String?

  @Option(help: "The bridge that follows this notebook.")
  var notebook: String?

  /// How long the bridge has to answer.
  static let answerDeadline: Duration = .seconds(3)

  func validate() throws {
    if existing && notebook != nil {
      throw ValidationError("use either --existing or --notebook, not both")
    }
    if id != nil && !existing { throw ValidationError("an ID goes with --existing") }
    if let channel, !NotifyRequest.isValidChannel(channel) {
      throw ValidationError(
        "--channel must be one line of 1 to \(NotifyRequest.channelLimit) characters")
    }
  }

  func run() throws {
    let folder = LocalControlFolder.standard(environment: ProcessInfo.processInfo.environment)
    let bridge = try PsCommand.choose(selection, in: folder)
    let request = NotifyRequest.make(notifyOn: notifyOn, channel: channel)
    let requestPath = folder.requestPath(kernelId: bridge.kernelId)
    let who = "kernel \(bridge.kernelId.prefix(8)) (\(PsCommand.oneLine(bridge.name)))"
    guard folder.writeAtomically(request.encoded(), to: requestPath) else {
      throw CommandFailure("\(who): could not write the request \(requestPath)")
    }
    let deadline = ContinuousClock.now + Self.answerDeadline
    while ContinuousClock.now < deadline {
      let state = folder.liveState(kernelId: bridge.kernelId)
      if let answer = state?.acknowledged.last(where: { $0.nonce == request.nonce }) {
        print("\(who): \(PsCommand.oneLine(answer.message))")
        return
      }
      if state == nil { break }
      Thread.sleep(forTimeInterval: 0.05)
    }
    // Not applied later by surprise: the request goes with the wait.
    unlink(requestPath)
    let gone = folder.liveState(kernelId: bridge.kernelId) == nil
    throw CommandFailure(
      gone
        ? "\(who): the bridge (pid \(bridge.pid)) ended before it answered"
        : "\(who): no answer from the bridge (pid \(bridge.pid)) within 3 s; nothing was armed")
  }

  private var selection: BridgeSelection {
    if let notebook {
      return .notebook(
        notebook.contains("/")
          ? URL(
            fileURLWithPath: notebook,
            relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
          ).path : notebook)
    }
    if existing { return id.map { .kernel($0) } ?? .newest }
    return .onlyOne
  }
}
