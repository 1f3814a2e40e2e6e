import ArgumentParser
import BridgeRuntime
import Foundation

/// `jupyter-lmk monitor`: the monitor process that `run` starts beside the
/// kernel (docs/BEHAVIOUR.md, "Launcher mode", crash isolation). Not for people: its stdin is the
/// supervisor's link, and it ignores the signals Jupyter sends the group.
struct MonitorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "monitor",
    abstract: "The monitor process of `run` (started by it; not for direct use).",
    shouldDisplay: false
  )

  @Option(help: "The kernel's connection file.")
  var connectionFile: String

  @Option(help: "0 for a kernel's first monitor; higher for a restart after a crash.")
  var generation: Int = 0

  @Option(help: "The LMK session an earlier monitor of this kernel created.")
  var sessionId: String?

  @Option(help: "The kernel's process id (for its memory figures).")
  var kernelPid: Int32?

  @OptionGroup var options: BridgeOptions

  func run() async throws {
    let logger = options.bootstrapLogging()
    let environment = ProcessInfo.processInfo.environment
    Failpoint.arm(from: environment, generation: generation)
    let options = self.options
    let sessionId = self.sessionId
    let launch = MonitorChild.Launch(
      connectionFile: connectionFile, generation: generation, sessionId: sessionId,
      kernelPid: kernelPid)
    let code = await MonitorChild.run(launch, logger: logger) { connection, onSession in
      BridgeSetup.prepare(
        connection: connection, notebookOverride: options.notebook,
        kernelWorkingDirectory: FileManager.default.currentDirectoryPath, supervisorPid: getppid(),
        commandLine: options.settings, environment: environment, logger: logger,
        session: BridgeSetup.SessionContinuity(adoptedId: sessionId, onCreated: onSession))
    }
    if code != 0 { throw ExitCode(code) }
  }
}
