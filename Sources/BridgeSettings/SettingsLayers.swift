import ExecutionCore

/// Where a setting's value came from, for `jupyter-lmk status` and logs.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
  /// The built-in defaults (`NotificationPolicy.defaults`).
  case defaults
  /// The top level of the user config file.
  case userConfig(file: String)
  /// A per-notebook rule of the user config file (`index` into its `notebooks` array).
  case userConfigRule(file: String, index: Int, match: String)
  /// `metadata.lmk` of the notebook file.
  case notebookMetadata(path: String)
  /// A flag of the command (`--notify-on`, `--min-duration`…): this run's explicit wish.
  case commandLine

  public var description: String {
    switch self {
    case .defaults: "built-in default"
    case .userConfig(let file): file
    case .userConfigRule(let file, let index, let match):
      "\(file) notebooks[\(index)] (match \"\(match)\")"
    case .notebookMetadata(let path): "\(path) metadata.lmk"
    case .commandLine: "command line"
    }
  }
}

/// One layer's settings and where they came from.
public struct SettingsLayer: Sendable, Equatable {
  public var source: SettingSource
  public var patch: SettingsPatch
  public init(source: SettingSource, patch: SettingsPatch) {
    self.source = source
    self.patch = patch
  }
}

/// The settings in force and, per key, the layer that set it.
public struct ResolvedSettings: Sendable, Equatable {
  public var settings: NotificationPolicy
  public var sources: [SettingKey: SettingSource]

  /// The layer that set `key` (`.defaults` when no layer did).
  public func source(of key: SettingKey) -> SettingSource { sources[key] ?? .defaults }

  /// Stacks `layers` (lowest first) on top of `base`; a later layer overrides an earlier one key by key.
  public static func resolve(_ layers: [SettingsLayer], over base: NotificationPolicy = .defaults)
    -> ResolvedSettings
  {
    var resolved = ResolvedSettings(settings: base, sources: [:])
    for layer in layers {
      resolved.settings = layer.patch.applied(to: resolved.settings)
      for key in layer.patch.keys { resolved.sources[key] = layer.source }
    }
    return resolved
  }

  /// The PRODUCT §4 stack: defaults ← user config (+ rules matching the notebook) ← notebook metadata.
  ///
  /// - Parameters:
  ///   - userConfig: nil when there is no file or it could not be read (fail open).
  ///   - notebookPath: the notebook's absolute path, nil when unknown (rules and metadata are skipped).
  ///   - notebookMetadata: `metadata.lmk` of that notebook, nil when absent or unreadable.
  ///   - commandLine: the command's own flags, above every file.
  public static func resolve(
    userConfig: UserConfig?, notebookPath: String?, notebookMetadata: SettingsPatch?,
    commandLine: SettingsPatch? = nil
  ) -> ResolvedSettings {
    var layers = userConfig?.layers(forNotebook: notebookPath) ?? []
    if let notebookPath, let notebookMetadata {
      layers.append(
        SettingsLayer(source: .notebookMetadata(path: notebookPath), patch: notebookMetadata))
    }
    if let commandLine { layers.append(SettingsLayer(source: .commandLine, patch: commandLine)) }
    return resolve(layers)
  }
}
