import ArgumentParser
import Foundation
import LMKClient

/// `jupyter-lmk whoami`: proves the stored credentials work (`getCurrentApp`).
struct WhoamiCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "whoami",
    abstract: "Check that the stored LMK credentials work and show the app they belong to.")

  func run() async throws {
    do {
      let service = try LMKCommandSupport.service()
      guard service.hasCredentials() else {
        throw LMKError.notLoggedIn(
          profile: service.credentials.profile, configPath: service.credentials.path)
      }
      let app: LMKService.App
      do {
        app = try await service.currentApp(budget: .interactive)
      } catch {
        throw CredentialDiagnosis(
          error, service: service, environment: ProcessInfo.processInfo.environment)
      }
      print(
        "Credentials valid: app \"\(app.name)\" (\(app.appId)) on \(service.displayServerURL)"
      )
      print("Profile [\(service.credentials.profile)] in \(service.credentials.path)")
    }
  }
}
