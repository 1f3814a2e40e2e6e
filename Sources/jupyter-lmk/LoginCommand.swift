import ArgumentParser
import Foundation
import LMKClient

/// `jupyter-lmk login`: the headless flow, usable over SSH on a machine with no browser.
struct LoginCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "login",
    abstract: "Log in to LMK and store the tokens in ~/.lmk/config (shared with the `lmk` client).",
    discussion: """
      Prints a URL to open in any browser (opened for you when this machine has a display), then waits until you approve. The server's URL is saved with the tokens (server_url), so later commands use the same server. LMK_CONFIG_PATH, LMK_PROFILE and LMK_SERVER_URL apply.
      """)

  /// A person is waiting: a few seconds of tries (a server just started, a network coming
  /// up), then the cause — not the bridge's 90 s budget.
  static let startBudget = RetryPolicy(
    maxAttempts: 5, initialDelay: .milliseconds(500), maxDelay: .seconds(2),
    totalBudget: .seconds(8))

  @Option(parsing: .unconditional, help: "Seconds to wait for the approval.")
  var timeout: Int = 300

  @Flag(help: "Do not try to open a browser.")
  var noBrowser = false

  func validate() throws {
    guard timeout > 0 else {
      throw ValidationError("--timeout must be > 0 seconds (got \(timeout))")
    }
  }

  func run() async throws {
    do {
      let service = try LMKCommandSupport.service()
      let login = try await service.startLogin(budget: Self.startBudget)
      // Written unbuffered: the URL must show up at once even when stdout is a pipe.
      FileHandle.standardOutput.write(
        Data(
          "Open this URL in a browser to let jupyter-lmk notify you through LMK:\n\n  \(login.authorizeUrl)\n\n"
            .utf8))
      if !noBrowser { openBrowser(login.authorizeUrl) }
      let interactive = StandardError.isTerminal
      try await service.finishLogin(sessionID: login.sessionId, timeout: .seconds(timeout)) {
        left in
        let seconds = Int(left.components.seconds)
        let text = String(format: "Waiting for approval… %d:%02d left", seconds / 60, seconds % 60)
        if interactive {
          FileHandle.standardError.write(Data("\r\(text) ".utf8))
        } else if seconds % 30 == 0 {
          StandardError.line(text)
        }
      }
      if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
      print(
        "Logged in to \(service.displayServerURL). Tokens saved to \(service.credentials.path) [\(service.credentials.profile)]."
      )
    }
  }

  /// `xdg-open` only where a graphical session exists; over SSH it would start a text browser.
  private func openBrowser(_ url: String) {
    let environment = ProcessInfo.processInfo.environment
    guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return }
    let opener = Process()
    opener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    opener.arguments = ["xdg-open", url]
    opener.standardOutput = FileHandle.nullDevice
    opener.standardError = FileHandle.nullDevice
    try? opener.run()
  }
}
