import BridgeSettings
import ExecutionCore
import Foundation
import JupyterProtocol
import KernelSpecs
import LMKClient
import Logging

/// What both modes work out before monitoring: the notebook, its settings, and
/// where the session goes. Nothing here throws: a broken config or missing
/// credentials leave the kernel monitored locally with a log line saying why.
public struct BridgeSetup: Sendable {
  public var configuration: BridgeConfiguration
  public var notification: NotificationContext
  /// The LMK session's name: the notebook's file name, else `<kernel> kernel`.
  public var sessionName: String
  public var sink: SessionSink
  /// The LMK session WebSocket, when LMK is on (its status is shown by `ps`).
  public var socket: SessionSocket?
  /// Where the app's commands (remote settings, interrupt) go once monitoring runs.
  public var remote: RemoteControlRelay
  /// How the kernel is interrupted, from its kernelspec's `interrupt_mode`.
  public var interruptMode: InterruptMode

  /// A kernelspec's `interrupt_mode`: how Jupyter (and the bridge) interrupt the kernel.
  public enum InterruptMode: String, Sendable, Equatable {
    /// SIGINT to the kernel's process (the default).
    case signal
    /// An `interrupt_request` on the control channel.
    case message
  }

  /// - Parameters:
  ///   - notebookOverride: `--notebook`.
  ///   - kernelWorkingDirectory: the kernel's cwd (launcher mode), nil in attach mode.
  ///   - supervisorPid: launcher mode: the supervisor (`jupyter-lmk run`), whose parent may be a
  ///     batch runner naming the notebook.
  ///   - commandLine: the command's setting flags.
  ///   - session: launcher mode: the LMK session to adopt, and who hears of a new one.
  public static func prepare(
    connection: ConnectionInfo?, notebookOverride: String?, kernelWorkingDirectory: String?,
    supervisorPid: Int32? = nil, commandLine: SettingsPatch?, environment: [String: String],
    logger: Logger, session: SessionContinuity = SessionContinuity()
  ) -> BridgeSetup {
    let notebook = locateNotebook(
      override: notebookOverride, connection: connection,
      kernelWorkingDirectory: kernelWorkingDirectory, supervisorPid: supervisorPid,
      environment: environment, logger: logger)
    let home = environment["HOME"] ?? NSHomeDirectory()
    let (configuration, problems) = BridgeConfiguration.load(
      environment: environment, homeDirectory: home, notebook: notebook, commandLine: commandLine)
    for problem in problems { logger.warning("\(problem)") }
    let kernelName = connection?.kernelName ?? ""
    let knownKernel = kernelName.isEmpty ? "jupyter" : kernelName
    let name = notebook?.name ?? NotebookLocator.fallbackSessionName(kernelName: knownKernel)
    // The code fence's language, until the kernel answers kernel_info (IRkernel never does
    // on control): the kernelspec the connection file names, wrapped or not.
    let spec =
      kernelName.isEmpty
      ? nil
      : KernelSpecCatalog.standard(environment: environment, homeDirectory: home)
        .spec(named: kernelName)
    let notification = NotificationContext(
      notebookName: notebook?.name, kernelName: knownKernel, language: spec?.language)
    let remote = RemoteControlRelay()
    let (sink, socket) = makeSink(
      notebookName: name, environment: environment, logger: logger, session: session,
      remote: remote)
    return BridgeSetup(
      configuration: configuration, notification: notification, sessionName: name, sink: sink,
      socket: socket, remote: remote,
      interruptMode: spec?.interruptMode == "message" ? .message : .signal)
  }

  /// The notebook, logged at info level either way: where it was found, or why it is unknown.
  static func locateNotebook(
    override: String?, connection: ConnectionInfo?, kernelWorkingDirectory: String?,
    supervisorPid: Int32?, environment: [String: String], logger: Logger
  ) -> NotebookLocation? {
    let sessionName = environment["JPY_SESSION_NAME"]
    let table = ProcProcessTable()
    let runner =
      (override?.isEmpty ?? true)
      ? supervisorPid.flatMap { table.parent(of: $0) }.map {
        BatchRunnerSearch.find(from: $0, in: table) { FileManager.default.fileExists(atPath: $0) }
      } : nil
    let notebook = NotebookLocator().locate(
      override: override, batchRunner: runner, sessionName: sessionName,
      connectionFileSession: connection?.jupyterSession,
      kernelWorkingDirectory: kernelWorkingDirectory,
      invocationDirectory: FileManager.default.currentDirectoryPath)
    if let notebook {
      if case .found(_, let name, let pid) = runner, notebook.origin == .batchRunner {
        logger.info("notebook \(notebook.path): the input of \(name) (pid \(pid))")
      }
      return notebook
    }
    let session = [sessionName, connection?.jupyterSession].compactMap { $0 }.first {
      !$0.isEmpty
    }
    var reasons = [
      session.map { "the session name `\(BatchRunnerSearch.quoted([$0]))` names no file found" }
        ?? "no JPY_SESSION_NAME"
    ]
    switch runner {
    case .unknown(let reason): reasons.append(reason)
    case .found, nil:
      if kernelWorkingDirectory == nil { reasons.append("attach mode: name it with --notebook") }
    }
    logger.info(
      "notebook unknown: \(reasons.joined(separator: " and ")); metadata.lmk is not read")
    return nil
  }

  /// How a monitor restarted after a crash keeps reporting to the same LMK session.
  public struct SessionContinuity: Sendable {
    /// The session an earlier monitor of this kernel created.
    public var adoptedId: String?
    /// Told the id of a session created here.
    public var onCreated: @Sendable (String) -> Void

    public init(
      adoptedId: String? = nil, onCreated: @escaping @Sendable (String) -> Void = { _ in }
    ) {
      self.adoptedId = adoptedId
      self.onCreated = onCreated
    }
  }

  /// The LMK sink and session socket when credentials exist, else the local-only sink
  /// (with one line on how to log in).
  static func makeSink(
    notebookName: String, environment: [String: String], logger: Logger,
    session: SessionContinuity, remote: RemoteControlRelay
  ) -> (SessionSink, SessionSocket?) {
    let service: LMKService
    do {
      service = try LMKService(
        configuration: LMKConfiguration(environment: environment), logger: logger)
    } catch {
      logger.warning("LMK is off: \(error)")
      return (LocalOnlySink(), nil)
    }
    guard service.hasCredentials() else {
      logger.notice(
        "no LMK credentials: runs are followed but nobody is told; run `jupyter-lmk login`")
      return (LocalOnlySink(), nil)
    }
    let socket = SessionSocket(backend: service, logger: logger) { remote.deliver($0) }
    let sink = LMKSessionSink(
      service: service, notebookName: notebookName, url: nil, logger: logger,
      adoptedSessionId: session.adoptedId, socket: socket, onSessionCreated: session.onCreated)
    return (sink, socket)
  }
}
