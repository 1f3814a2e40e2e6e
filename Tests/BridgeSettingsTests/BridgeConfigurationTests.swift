import Foundation
import TestSupport
import Testing

@testable import BridgeSettings

@Suite struct BridgeConfigurationTests {
  static func notebook(_ lmk: String) -> String {
    #"{"cells": [], "metadata": {"lmk": \#(lmk)}, "nbformat": 4, "nbformat_minor": 5}"#
  }

  @Test func layersTheUserFileAndTheNotebookAndFollowsSaves() throws {
    let directory = try TemporaryDirectory()
    let config = try directory.write(
      "config.json",
      #"{"notifyOn": "error", "minDuration": 30, "notebooks": [{"match": "*/exp/*", "minDuration": 90}]}"#
    )
    let path = try directory.write("exp/nb.ipynb", Self.notebook(#"{"notifyChannel": "sms"}"#))
    var (configuration, problems) = BridgeConfiguration.load(
      environment: ["JUPYTER_LMK_CONFIG": config], homeDirectory: directory.path,
      notebook: NotebookLocation(path: path, origin: .absoluteSessionName))
    #expect(problems.isEmpty)
    #expect(configuration.userConfigPath == config)
    var resolved = configuration.resolved
    #expect(resolved.settings.notifyOn == .error)
    #expect(resolved.settings.minDurationMilliseconds == 90_000)
    #expect(resolved.settings.notifyChannel == "sms")
    #expect(resolved.source(of: .notifyChannel) == .notebookMetadata(path: path))

    var refresh = configuration.refreshNotebook()
    #expect(!refresh.changed && refresh.problems.isEmpty)

    try directory.write("exp/nb.ipynb", Self.notebook(#"{"notifyOn": "stop"}"#))
    refresh = configuration.refreshNotebook()
    #expect(refresh.changed)
    resolved = configuration.resolved
    #expect(resolved.settings.notifyOn == .stop && resolved.settings.notifyChannel == nil)

    // A broken save keeps the last good settings.
    try directory.write("exp/nb.ipynb", Self.notebook(#"{"notifyOn": "often"}"#))
    refresh = configuration.refreshNotebook()
    #expect(!refresh.changed)
    #expect(refresh.problems.count == 1 && refresh.problems[0].contains("metadata.lmk.notifyOn"))
    #expect(configuration.resolved.settings.notifyOn == .stop)
  }

  @Test func aBrokenUserFileIsReportedAndLeftOut() throws {
    let directory = try TemporaryDirectory()
    let config = try directory.write("config.json", #"{"notifyOn": "loud", "idleGrace": 5}"#)
    let (configuration, problems) = BridgeConfiguration.load(
      environment: ["JUPYTER_LMK_CONFIG": config], homeDirectory: directory.path, notebook: nil)
    #expect(configuration.userConfig == nil)
    #expect(configuration.resolved.settings == .defaults)
    #expect(problems.count == 1)
    #expect(problems.first?.contains("\(config): notifyOn:") == true)
  }

  @Test func noFilesMeansDefaultsAndNoProblems() throws {
    let directory = try TemporaryDirectory()
    let (configuration, problems) = BridgeConfiguration.load(
      environment: ["XDG_CONFIG_HOME": directory.path], homeDirectory: directory.path, notebook: nil
    )
    #expect(problems.isEmpty)
    #expect(configuration.userConfigPath == directory.path + "/jupyter-lmk/config.json")
    #expect(configuration.resolved == ResolvedSettings(settings: .defaults, sources: [:]))
  }

  @Test func aMissingNotebookIsReportedOnce() throws {
    let directory = try TemporaryDirectory()
    var (configuration, problems) = BridgeConfiguration.load(
      environment: ["XDG_CONFIG_HOME": directory.path], homeDirectory: directory.path,
      notebook: NotebookLocation(path: directory.path + "/gone.ipynb", origin: .override))
    #expect(problems.count == 1 && problems.first?.contains("gone.ipynb") == true)
    let refresh = configuration.refreshNotebook()
    #expect(!refresh.changed && refresh.problems.isEmpty)
  }

  /// A `JUPYTER_LMK_CONFIG` that names nothing is a mistake to report, not "no config".
  @Test func anExplicitConfigThatIsMissingOrDanglingIsAProblemNamingThePath() throws {
    let directory = try TemporaryDirectory()
    let missing = directory.path + "/nope.json"
    let link = directory.path + "/link.json"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: missing)
    for (path, words) in [
      (missing, "\(missing) (JUPYTER_LMK_CONFIG) does not exist"),
      (link, "\(link) (JUPYTER_LMK_CONFIG) is a symlink to \(missing), which does not exist"),
    ] {
      let (configuration, problems) = BridgeConfiguration.load(
        environment: ["JUPYTER_LMK_CONFIG": path], homeDirectory: directory.path, notebook: nil)
      #expect(problems == ["config ignored: \(words)"])
      #expect(configuration.userConfigUnusable)
    }
    // The default path needs no file.
    let (configuration, problems) = BridgeConfiguration.load(
      environment: [:], homeDirectory: directory.path, notebook: nil)
    #expect(problems.isEmpty && !configuration.userConfigUnusable)
  }

  /// `metadata.lmk` gets the config file's "did you mean", once per set of unknown keys.
  @Test func unknownNotebookKeysAreReportedLikeTheConfigFileOnceUntilTheyChange() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      "nb.ipynb", Self.notebook(#"{"notifyon": "stop", "NotifyChannel": "sms"}"#))
    var (configuration, problems) = BridgeConfiguration.load(
      environment: [:], homeDirectory: directory.path,
      notebook: NotebookLocation(path: path, origin: .absoluteSessionName))
    #expect(
      problems == [
        "\(path): metadata.lmk.NotifyChannel: unknown key ignored (did you mean \"notifyChannel\"?)",
        "\(path): metadata.lmk.notifyon: unknown key ignored (did you mean \"notifyOn\"?)",
      ])
    // The same mistakes in a later save are not repeated; a new one is reported.
    try directory.write(
      "nb.ipynb", Self.notebook(#"{"notifyon": "stop", "NotifyChannel": "sms", "x": 1}"#))
    _ = configuration.refreshNotebook()  // (the stamp may not have moved yet)
    try directory.write(
      "nb.ipynb", Self.notebook(#"{"notifyon": "stop", "NotifyChannel": "sms", "minDuraton": 1}"#))
    let refresh = configuration.refreshNotebook()
    #expect(
      refresh.problems.contains {
        $0.contains("minDuraton: unknown key ignored (did you mean \"minDuration\"?)")
      })
  }
}
