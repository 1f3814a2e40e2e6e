import ArgumentParser
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
      Exits 0 when notifications can be sent, 1 when something stands in the way
      (no or rejected credentials, server unreachable); each line says what to do.
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
      print("  server       \(service.displayServerURL)")
      print(
        "  credentials  \(service.credentials.path) [\(service.credentials.profile)]",
        terminator: "")
      if service.hasCredentials() {
        print(environment["LMK_ACCESS_TOKEN"] != nil ? " (LMK_ACCESS_TOKEN set)" : "")
        do {
          let app = try await service.currentApp(budget: .interactive)
          print("  token        valid: app \"\(app.name)\"")
        } catch {
          healthy = false
          print("  token        NOT usable: \(error) — run `jupyter-lmk login`")
        }
      } else {
        healthy = false
        print("\n  token        none — run `jupyter-lmk login`")
      }
      printDelivery(service.outbox)
    } catch {
      healthy = false
      print("  LMK is unusable: \(error)")
    }

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
    let exists = FileManager.default.fileExists(atPath: configuration.userConfigPath)
    print("  config file  \(configuration.userConfigPath)\(exists ? "" : " (none)")")
    if let location { print("  notebook     \(location.path)") }
    for problem in problems { print("  problem      \(problem)") }
    let resolved = configuration.resolved
    let settings = resolved.settings
    let values: [(SettingKey, String)] = [
      (.notifyOn, settings.notifyOn.rawValue),
      (.notifyChannel, settings.notifyChannel ?? "(account default)"),
      (.minDuration, "\(Double(settings.minDurationMilliseconds) / 1000) s"),
      (.idleGrace, "\(Double(settings.idleGraceMilliseconds) / 1000) s"),
      (.notifyOnDeath, "\(settings.notifyOnDeath)"),
      (.memoryWarning, settings.memoryWarning.map { "\($0)" } ?? "off"),
    ]
    for (key, value) in values {
      let name = key.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
      print(
        "  \(name)\(value.padding(toLength: 20, withPad: " ", startingAt: 0))  from \(resolved.source(of: key))"
      )
    }
    if !healthy { throw ExitCode(1) }
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
