import Foundation

/// The configuration layers of one bridge and the settings they give (PRODUCT §4, layers 1–3).
///
/// Fails open by design: nothing here throws. A broken user config or notebook is
/// reported as a line for the log and that layer is left out (or, for a notebook that
/// breaks while the kernel runs, its last good settings are kept), because the kernel
/// must run whatever the configuration says.
public struct BridgeConfiguration: Sendable {
  /// The user config file, nil when there is none or it could not be used.
  public private(set) var userConfig: UserConfig?
  /// Where the user config file is looked for (shown by `status` even when absent).
  public let userConfigPath: String
  /// The user config file was expected or found but could not be used (see the problems).
  public private(set) var userConfigUnusable = false
  /// The notebook, nil when unknown.
  public let notebook: NotebookLocation?
  /// The notebook's `metadata.lmk` (last good read).
  public private(set) var notebookMetadata: SettingsPatch?
  /// The unknown keys of the last good read, logged once until they change.
  private var notebookWarnings: [String] = []
  /// The command's own flags, the top configured layer.
  public let commandLine: SettingsPatch?
  private var watcher: NotebookWatcher?

  /// The settings in force and where each came from.
  public var resolved: ResolvedSettings {
    ResolvedSettings.resolve(
      userConfig: userConfig, notebookPath: notebook?.path, notebookMetadata: notebookMetadata,
      commandLine: commandLine)
  }

  /// Reads the user config file and the notebook's metadata.
  ///
  /// - Parameters:
  ///   - environment: reads `JUPYTER_LMK_CONFIG`, `XDG_CONFIG_HOME`.
  ///   - notebook: from `NotebookLocator.locate`.
  ///   - commandLine: the command's flags, above every file.
  /// - Returns: the configuration and one log line per problem or warning.
  public static func load(
    environment: [String: String], homeDirectory: String, notebook: NotebookLocation?,
    commandLine: SettingsPatch? = nil
  ) -> (configuration: BridgeConfiguration, problems: [String]) {
    let path = UserConfig.path(environment: environment, homeDirectory: homeDirectory)
    var problems: [String] = []
    var userConfig: UserConfig?
    var unusable = false
    do {
      userConfig = try UserConfig.load(path: path, homeDirectory: homeDirectory)
      problems += userConfig?.warnings ?? []
      if userConfig == nil, let missing = missingExplicitConfig(path, environment: environment) {
        problems.append(missing)
        unusable = true
      }
    } catch {
      problems.append("config ignored: \(error)")
      unusable = true
    }
    var configuration = BridgeConfiguration(
      userConfig: userConfig, userConfigPath: path, notebook: notebook, notebookMetadata: nil,
      commandLine: commandLine, watcher: notebook.map { NotebookWatcher(path: $0.path) })
    configuration.userConfigUnusable = unusable
    problems += configuration.refreshNotebook().problems
    return (configuration, problems)
  }

  /// A file named by `JUPYTER_LMK_CONFIG` that is not there is a mistake (a typo, a moved
  /// file, a dangling symlink), unlike the default path, which needs no file.
  static func missingExplicitConfig(_ path: String, environment: [String: String]) -> String? {
    guard let explicit = environment["JUPYTER_LMK_CONFIG"], !explicit.isEmpty, explicit == path
    else { return nil }
    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
      return
        "config ignored: \(path) (JUPYTER_LMK_CONFIG) is a symlink to \(target), which does not exist"
    }
    return "config ignored: \(path) (JUPYTER_LMK_CONFIG) does not exist"
  }

  /// Re-reads the notebook's metadata if the file changed since the last look.
  ///
  /// The runtime calls this every few seconds; `changed` says whether `resolved` may differ,
  /// `problems` are lines for the log (an unknown key only when the set of them changed,
  /// not at every save of the notebook).
  public mutating func refreshNotebook() -> (changed: Bool, problems: [String]) {
    guard var watcher else { return (false, []) }
    let update = watcher.poll()
    self.watcher = watcher
    switch update {
    case nil:
      return (false, [])
    case .settings(let patch, let warnings)?:
      let changed = patch != notebookMetadata
      notebookMetadata = patch
      defer { notebookWarnings = warnings }
      return (changed, warnings == notebookWarnings ? [] : warnings)
    case .unreadable(let error)?:
      return (false, ["notebook metadata not used: \(error)"])
    }
  }
}
