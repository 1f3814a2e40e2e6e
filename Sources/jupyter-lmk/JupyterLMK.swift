import ArgumentParser
import Foundation

/// `jupyter-lmk`: watches Jupyter kernels and tells LMK when runs of cells end.
@main
struct JupyterLMK: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "jupyter-lmk",
    abstract:
      "Notify you through LMK when a run of notebook cells finishes, fails, or the kernel dies.",
    discussion: """
      Runs beside any Jupyter kernel, listens to its IOPub channel and mirrors the cells' state into an LMK session. Also answers as `jupyter lmk …`.
      """,
    version: "0.1.0",
    subcommands: [
      RunCommand.self, MonitorCommand.self, AttachCommand.self, InstallCommand.self,
      UninstallCommand.self,
      LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, ChannelsCommand.self,
      StatusCommand.self, NotifyCommand.self, PsCommand.self,
    ]
  )

  /// Runs the command; usage errors exit with status 2 (docs/BEHAVIOUR.md, "Commands"), not
  /// swift-argument-parser's 64.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      if exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }
}
