import Foundation
import OutsideFiles

/// The user config file (settings layer 2): defaults for every notebook plus
/// per-notebook rules matched by path glob.
///
/// ```json
/// { "notifyOn": "error", "minDuration": 60,
///   "notebooks": [ { "match": "*/experiments/*", "notifyOn": "stop", "notifyChannel": "sms" } ] }
/// ```
public struct UserConfig: Sendable, Equatable {
  /// A per-notebook rule: its settings apply when `match` matches the notebook.
  public struct Rule: Sendable, Equatable {
    public var match: PathGlob
    public var patch: SettingsPatch
    public init(match: PathGlob, patch: SettingsPatch) {
      self.match = match
      self.patch = patch
    }
  }

  /// The file this was read from (named in provenance and errors).
  public var file: String
  /// Settings for every notebook.
  public var base: SettingsPatch
  /// Per-notebook rules in file order; later matching rules override earlier ones.
  public var rules: [Rule]
  /// Unknown keys, one line each; worth logging, never fatal.
  public var warnings: [String]

  public init(
    file: String, base: SettingsPatch = SettingsPatch(), rules: [Rule] = [], warnings: [String] = []
  ) {
    self.file = file
    self.base = base
    self.rules = rules
    self.warnings = warnings
  }

  /// The settings layers this file contributes for a notebook (nil = notebook unknown: only the base).
  public func layers(forNotebook notebookPath: String?) -> [SettingsLayer] {
    var layers = [SettingsLayer(source: .userConfig(file: file), patch: base)]
    guard let notebookPath else { return layers }
    for (index, rule) in rules.enumerated() where rule.match.matches(notebookPath) {
      layers.append(
        SettingsLayer(
          source: .userConfigRule(file: file, index: index, match: rule.match.pattern),
          patch: rule.patch))
    }
    return layers
  }

  /// Parses the file's bytes.
  ///
  /// - Parameter homeDirectory: expands a leading `~/` in `match` patterns.
  /// - Throws: `ConfigError` naming the file and key for bad JSON, a wrong type or an unknown value.
  public static func parse(_ data: Data, file: String, homeDirectory: String?) throws(ConfigError)
    -> UserConfig
  {
    let root: ConfigJSONValue
    switch ConfigJSONValue.parse(data) {
    case .success(let value): root = value
    case .failure(let problem): throw ConfigError(file: file, problem: problem.message)
    }
    guard let object = root.objectValue else {
      throw ConfigError(file: file, problem: "must hold a JSON object, not \(root.typeName)")
    }
    let (base, baseWarnings) = try SettingsPatch.parse(
      object, file: file, keyPath: nil, otherKeys: ["notebooks"])
    var config = UserConfig(file: file, base: base, warnings: baseWarnings)

    switch object["notebooks"] {
    case nil, .null?: break
    case .array(let entries)?:
      for (index, entry) in entries.enumerated() {
        let keyPath = "notebooks[\(index)]"
        guard let ruleObject = entry.objectValue else {
          throw ConfigError(
            file: file, key: keyPath, problem: "must be an object, not \(entry.typeName)")
        }
        guard let pattern = ruleObject["match"]?.stringValue, !pattern.isEmpty else {
          throw ConfigError(
            file: file, key: "\(keyPath).match",
            problem: "must be a non-empty path glob such as \"*/experiments/*\"")
        }
        let (patch, warnings) = try SettingsPatch.parse(
          ruleObject, file: file, keyPath: keyPath, otherKeys: ["match"])
        config.rules.append(
          Rule(match: PathGlob(pattern, homeDirectory: homeDirectory), patch: patch))
        config.warnings += warnings
      }
    case let other?:
      throw ConfigError(
        file: file, key: "notebooks", problem: "must be an array of rules, not \(other.typeName)")
    }
    return config
  }

  /// Where the file lives: `$JUPYTER_LMK_CONFIG`, else `$XDG_CONFIG_HOME/jupyter-lmk/config.json`,
  /// else `~/.config/jupyter-lmk/config.json` (a relative `XDG_CONFIG_HOME` is ignored, as the XDG spec says).
  public static func path(environment: [String: String], homeDirectory: String) -> String {
    if let explicit = environment["JUPYTER_LMK_CONFIG"], !explicit.isEmpty { return explicit }
    if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
      return (xdg as NSString).appendingPathComponent("jupyter-lmk/config.json")
    }
    return (homeDirectory as NSString).appendingPathComponent(".config/jupyter-lmk/config.json")
  }

  /// The largest config file read; anything bigger is a mistake, not a config.
  static let maximumFileSize = OutsideFile.smallFileLimit

  /// Reads and parses the file at `path`; nil when there is no such file (no file = no layer).
  public static func load(path: String, homeDirectory: String?) throws(ConfigError) -> UserConfig? {
    let data: Data
    switch readSmallFile(path, limit: maximumFileSize) {
    case .missing: return nil
    case .contents(let bytes): data = bytes
    case .failure(let problem): throw ConfigError(file: path, problem: problem)
    }
    return try parse(data, file: path, homeDirectory: homeDirectory)
  }
}
