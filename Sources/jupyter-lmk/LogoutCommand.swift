import ArgumentParser
import Foundation
import LMKClient

/// `jupyter-lmk logout`: forgets the profile's tokens, keeping everything else in the file.
struct LogoutCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logout",
    abstract: "Remove the stored LMK tokens of the profile (other profiles and keys stay).")

  func run() async throws {
    do {
      let service = try LMKCommandSupport.service()
      let place = "\(service.credentials.path) [\(service.credentials.profile)]"
      if try await service.logout() {
        print("Logged out: tokens removed from \(place).")
      } else {
        print("Not logged in: no tokens in \(place); nothing to remove.")
      }
      let variables = ["LMK_ACCESS_TOKEN", "LMK_REFRESH_TOKEN"].filter {
        !(ProcessInfo.processInfo.environment[$0] ?? "").isEmpty
      }
      if !variables.isEmpty {
        StandardError.line(
          "note: \(variables.joined(separator: " and ")) still set in the environment; unset it to log out there too"
        )
      }
    }
  }
}
