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
  public var sink: SessionSink

  /// - Parameters:
  ///   - notebookOverride: `--notebook`.
  ///   - kernelWorkingDirectory: the kernel's cwd (launcher mode), nil in attach mode.
  ///   - commandLine: the command's setting flags.
  ///   - session: launcher mode: the LMK session to adopt, and who hears of a new one.
  public static func prepare(
    connection: ConnectionInfo?, notebookOverride: String?, kernelWorkingDirectory: String?,
    commandLine: SettingsPatch?, environment: [String: String], logger: Logger,
    session: SessionContinuity = SessionContinuity()
  ) -> BridgeSetup {
    let cwd = FileManager.default.currentDirectoryPath
    let notebook = NotebookLocator().locate(
      override: notebookOverride, sessionName: environment["JPY_SESSION_NAME"],
      connectionFileSession: connection?.jupyterSession,
      kernelWorkingDirectory: kernelWorkingDirectory, invocationDirectory: cwd)
    let home = environment["HOME"] ?? NSHomeDirectory()
    let (configuration, problems) = BridgeConfiguration.load(
      environment: environment, homeDirectory: home, notebook: notebook, commandLine: commandLine)
    for problem in problems { logger.warning("\(problem)") }
    let kernelName = connection?.kernelName ?? ""
    let name =
      notebook?.name
      ?? NotebookLocator.fallbackSessionName(
        kernelName: kernelName.isEmpty ? "jupyter" : kernelName)
    // The code fence's language, until the kernel answers kernel_info (IRkernel never does
    // on control): the kernelspec the connection file names, wrapped or not.
    let language =
      kernelName.isEmpty
      ? nil
      : KernelSpecCatalog.standard(environment: environment, homeDirectory: home)
        .spec(named: kernelName)?.language
    let notification = NotificationContext(notebookName: name, language: language)
    return BridgeSetup(
      configuration: configuration, notification: notification,
      sink: makeSink(
        notebookName: name, environment: environment, logger: logger, session: session))
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

  /// The LMK sink when credentials exist, else the local-only one (with one line on how to log in).
  static func makeSink(
    notebookName: String, environment: [String: String], logger: Logger,
    session: SessionContinuity
  ) -> SessionSink {
    let service: LMKService
    do {
      service = try LMKService(
        configuration: LMKConfiguration(environment: environment), logger: logger)
    } catch {
      logger.warning("LMK is off: \(error)")
      return LocalOnlySink()
    }
    guard service.hasCredentials() else {
      logger.notice(
        "no LMK credentials: runs are followed but nobody is told; run `jupyter-lmk login`")
      return LocalOnlySink()
    }
    return LMKSessionSink(
      service: service, notebookName: notebookName, url: nil, logger: logger,
      adoptedSessionId: session.adoptedId, onSessionCreated: session.onCreated)
  }
}
