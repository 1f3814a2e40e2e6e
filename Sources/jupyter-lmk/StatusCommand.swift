import ArgumentParser
import BridgeRuntime
import BridgeSettings
import Foundation
import KernelSpecs
import LMKClient
import Logging

/// `jupyter-lmk status`: what a user checks when no notification arrives.
struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract:
      "Check credentials, the LMK server, wrapped kernels, the outbox and the settings in force.",
    discussion: """
      Exits 0 when notifications can be sent, 1 when something stands in the way (not logged in, the token rejected, the server unreachable); the "to do" line says what helps.
      """)

  @Option(
    help: "Show the settings in force for this notebook (its metadata.lmk and matching rules).")
  var notebook: String?

  func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    let home = environment["HOME"] ?? NSHomeDirectory()
    var logger = Logger(label: "jupyter-lmk")
    logger.logLevel = .critical
    var healthy = true

    print("LMK")
    do {
      let service = try LMKService(
        configuration: LMKConfiguration(environment: environment), logger: logger)
      print("  server       \(service.displayServerURL) (\(describe(service.serverURLSource)))")
      print("  credentials  \(service.credentials.path) [\(service.credentials.profile)]")
      if !printTokenCheck(await checkToken(service), environment: environment) { healthy = false }
      printDelivery(service.outbox)
    } catch {
      healthy = false
      print("  LMK is unusable: \(error)")
    }

    printRunningKernels(environment: environment)

    print("\nWrapped kernels")
    let catalog = KernelSpecCatalog.standard(environment: environment, homeDirectory: home)
    let wrapped = catalog.onDisk.filter(\.isWrapped)
    if wrapped.isEmpty { print("  none — run `jupyter-lmk install` (or use `jupyter-lmk attach`)") }
    for spec in wrapped { print("  \(spec.name)  \"\(spec.displayName)\"") }

    print("\nSettings")
    let location = notebook.flatMap {
      NotebookLocator().locate(
        override: $0, sessionName: nil, kernelWorkingDirectory: nil,
        invocationDirectory: FileManager.default.currentDirectoryPath)
    }
    let (configuration, problems) = BridgeConfiguration.load(
      environment: environment, homeDirectory: home, notebook: location)
    let state =
      configuration.userConfig != nil
      ? ""
      : configuration.userConfigUnusable ? " (not used: see the problem below)" : " (none)"
    print("  config file  \(configuration.userConfigPath)\(state)")
    if let location { print("  notebook     \(location.path)") }
    for problem in problems { print("  problem      \(problem)") }
    let resolved = configuration.resolved
    let settings = resolved.settings
    let values = SettingKey.allCases.map {
      ($0, SettingsInForce.displayValue(of: $0, in: settings))
    }
    for (key, value) in values {
      let name = key.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
      print(
        "  \(name)\(value.padding(toLength: 20, withPad: " ", startingAt: 0))  from \(resolved.source(of: key))"
      )
    }
    if settings.notifyOn == .none {
      // The default, and the first surprise of a new user: nothing says why no run notifies.
      print(
        "  note         notifyOn is none: only a dying kernel notifies; set \"notifyOn\": \"stop\" or \"error\" in the config file or the notebook's metadata.lmk"
      )
    }
    if !healthy { throw ExitCode(1) }
  }

  /// The app the token belongs to, or why that could not be learnt.
  private func checkToken(_ service: LMKService) async -> Result<String, CredentialDiagnosis> {
    let environment = ProcessInfo.processInfo.environment
    do {
      guard service.hasCredentials() else {
        throw LMKError.notLoggedIn(
          profile: service.credentials.profile, configPath: service.credentials.path)
      }
      let app = try await service.currentApp(budget: .interactive)
      let fromVariable = !(environment["LMK_ACCESS_TOKEN"] ?? "").isEmpty
      return .success("valid: app \"\(app.name)\"\(fromVariable ? " (LMK_ACCESS_TOKEN)" : "")")
    } catch {
      return .failure(CredentialDiagnosis(error, service: service, environment: environment))
    }
  }

  /// One line per finding, the action last; false when notifications cannot be sent.
  private func printTokenCheck(
    _ check: Result<String, CredentialDiagnosis>, environment: [String: String]
  ) -> Bool {
    switch check {
    case .success(let line):
      print("  token        \(line)")
      return true
    case .failure(let diagnosis):
      switch diagnosis.kind {
      case .unreachable:
        print("  reachable    NO: \(diagnosis.problem)")
        print("  token        not checked (the server did not answer)")
      case .notLoggedIn:
        print("  token        none: \(diagnosis.problem)")
      case .rejected, .serverProblem:
        print("  token        NOT usable: \(diagnosis.problem)")
      }
      print("  to do        \(diagnosis.action)")
      return false
    }
  }

  private func describe(_ source: ServerURLSource) -> String {
    switch source {
    case .environment: "from LMK_SERVER_URL"
    case .profile: "from the profile's server_url"
    case .builtInDefault: "the default"
    }
  }

  /// The outbox backlog, the dead letters and the last delivery error.
  private func printDelivery(_ outbox: Outbox) {
    let backlog = outbox.pending()
    let ends = outbox.pendingEnds()
    print(
      "  outbox       \(outbox.directory): \(backlog.count) undelivered event(s)"
        + (ends.isEmpty ? "" : ", \(ends.count) session end(s) to send"))
    let letters = outbox.deadLetters()
    if let newest = letters.last {
      print(
        "  dead letters \(outbox.deadLetterDirectory): \(letters.count) event(s) LMK rejected; newest \(newest.at): \(newest.reason)"
      )
    } else {
      print("  dead letters none")
    }
    if let last = outbox.lastDeliveryError() {
      print("  last error   \(last.at) \(last.operation): \(last.message)")
    }
  }
}
