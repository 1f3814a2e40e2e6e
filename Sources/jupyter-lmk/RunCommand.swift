import ArgumentParser
import Foundation
import JupyterBridge
import Logging

/// `jupyter-lmk run`: the kernel process of a wrapped kernelspec (PRODUCT.md §6).
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a kernel as a child and monitor it (the argv of a wrapped kernelspec).",
    discussion: """
      Jupyter starts this as the kernel process. The kernel given after `--` starts at \
      once, in this process group, so Jupyter's interrupts and shutdowns reach it \
      directly; this process exits with the kernel's status (128+signal when the kernel \
      was killed by a signal).
      """
  )

  @Option(help: "The kernel's connection file ({connection_file} in kernel.json).")
  var connectionFile: String

  @OptionGroup var options: MonitorOptions

  @Argument(parsing: .postTerminator, help: "The kernel's own command line, after `--`.")
  var kernelArgv: [String] = []

  func validate() throws {
    guard !kernelArgv.isEmpty else {
      throw ValidationError(
        "no kernel command: give it after `--`, e.g. -- python -m ipykernel_launcher -f {connection_file}"
      )
    }
  }

  func run() async throws {
    let logger = options.bootstrapLogging()
    // The closure runs only once the kernel runs: whatever the monitor reads
    // (connection file, config, credentials) may fail without touching the kernel.
    let connectionFile = self.connectionFile
    let options = self.options
    let code = await Launcher(logger: logger).run(kernelArgv: kernelArgv) {
      try LaunchMonitor(connectionFile: connectionFile, logger: logger) { connection in
        BridgeSetup.prepare(
          connection: connection, notebookOverride: options.notebook,
          kernelWorkingDirectory: FileManager.default.currentDirectoryPath,
          commandLine: options.settings, environment: ProcessInfo.processInfo.environment,
          logger: logger)
      }
    }
    if code != 0 { throw ExitCode(code) }
  }
}
