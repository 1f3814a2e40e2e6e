import ArgumentParser
import LMKClient

/// `jupyter-lmk logout`: forgets the profile's tokens, keeping everything else in the file.
struct LogoutCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logout",
    abstract: "Remove the stored LMK tokens of the profile (other profiles and keys stay).")

  func run() async throws {
    do {
      let service = try LMKCommandSupport.service()
      try await service.logout()
      print(
        "Logged out: tokens removed from \(service.credentials.path) [\(service.credentials.profile)]."
      )
    }
  }
}
