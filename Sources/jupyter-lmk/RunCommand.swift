import ArgumentParser
import BridgeRuntime
import Foundation
import Logging

/// `jupyter-lmk run`: the kernel process of a wrapped kernelspec (docs/BEHAVIOUR.md, "Launcher mode").
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

  @OptionGroup var options: BridgeOptions

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
    // This process is the supervisor: it only spawns the kernel, relays what
    // signals mean, waits, and relays the kernel's exit status. Monitoring
    // (connection file, config, credentials, IOPub, HTTP) runs in a monitor
    // process of its own, so nothing it reads or does can stop the kernel.
    let connectionFile = self.connectionFile
    let flags = options.arguments
    let monitor = MonitorProcess(logger: logger) { generation, sessionId, kernelPid in
      [
        "jupyter-lmk", "monitor", "--connection-file", connectionFile, "--generation",
        "\(generation)", "--kernel-pid", "\(kernelPid)",
      ] + (sessionId.map { ["--session-id", $0] } ?? []) + flags
    }
    let code = await Launcher(logger: logger).run(kernelArgv: kernelArgv) { monitor }
    monitor.abandon()
    if code != 0 { throw ExitCode(code) }
  }
}
