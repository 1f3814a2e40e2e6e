import ArgumentParser
import BridgeRuntime
import Foundation
import JupyterProtocol
import LMKClient

/// `jupyter-lmk attach`: watch a kernel that is already running.
struct AttachCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attach",
    abstract: "Attach to a running kernel and follow its cells until it goes away.",
    discussion: """
      Finds the kernel like `jupyter console --existing`: the newest kernel-*.json in Jupyter's runtime directory, or the one whose name contains ID. Prints a live transcript of execution: cells started, errors, interrupts, idle.
      """)

  @Option(name: .customLong("connection-file"), help: "The kernel's connection file.")
  var connectionFile: String?

  @Flag(
    name: .customLong("existing"),
    help: "Attach to an existing kernel: the newest, or the one matching ID.")
  var existing = false

  @Argument(help: "With --existing: part of the kernel's id or connection file name.")
  var id: String?

  @OptionGroup var options: BridgeOptions

  func validate() throws {
    if existing && connectionFile != nil {
      throw ValidationError("use either --connection-file or --existing, not both")
    }
    if !existing && connectionFile == nil {
      throw ValidationError("name the kernel: --connection-file FILE or --existing [ID]")
    }
    if id != nil && !existing { throw ValidationError("an ID goes with --existing") }
  }

  func run() throws {
    let logger = options.bootstrapLogging()
    // First: SIGINT and SIGTERM wrap up (end the session, flush) instead of killing
    // mid-request, even when they arrive before the kernel is followed (they wait).
    let stopSignals = try SignalWatcher(signals: [SIGINT, SIGTERM])
    let environment = ProcessInfo.processInfo.environment
    let path: String
    let connection: ConnectionInfo
    path = try connectionFile ?? ConnectionFileLocator.find(id: id, environment: environment)
    connection = try ConnectionInfo.load(path: path)
    let emit: @Sendable (String) -> Void = { line in
      FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
    let curve = connection.curvePublicKey != nil ? " (CurveZMQ)" : ""
    emit("attached to \(path): IOPub \(connection.endpoint(.iopub))\(curve)")
    let control = LocalControl(
      folder: .standard(environment: environment), connectionFile: path, mode: .attach,
      supervisorPid: nil, kernelPid: nil,
      outboxDirectory: Outbox.defaultDirectory(environment: environment),
      log: { logger.warning("\($0)") })
    let setup = BridgeSetup.prepare(
      connection: connection, notebookOverride: options.notebook, kernelWorkingDirectory: nil,
      commandLine: options.settings, environment: environment, logger: logger,
      session: BridgeSetup.SessionContinuity { control?.sessionChanged($0) })
    let ending = try Attacher.run(
      connectionFile: path, connection: connection, setup: setup, localControl: control,
      emit: emit
    ) { listener in
      Task { for await _ in stopSignals.events { listener.post(.stop) } }
    }
    if ending == .kernelDied { throw ExitCode(1) }
  }
}
