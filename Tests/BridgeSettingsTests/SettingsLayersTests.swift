import ExecutionCore
import Foundation
import Testing

@testable import BridgeSettings

@Suite struct SettingsLayersTests {
  static let file = "/home/u/.config/jupyter-lmk/config.json"

  static func config(_ text: String) throws -> UserConfig {
    try UserConfig.parse(Data(text.utf8), file: file, homeDirectory: "/home/u")
  }

  @Test func defaultsWithNothingElse() {
    let resolved = ResolvedSettings.resolve(
      userConfig: nil, notebookPath: nil, notebookMetadata: nil)
    #expect(resolved.settings == .defaults)
    #expect(SettingKey.allCases.allSatisfy { resolved.source(of: $0) == .defaults })
  }

  @Test func eachLayerOverridesTheOneBeforeKeyByKeyAndProvenanceFollows() throws {
    let config = try Self.config(
      """
      {"notifyOn": "error", "notifyChannel": "email", "minDuration": 30,
       "notebooks": [
         {"match": "*/experiments/*", "notifyOn": "stop", "minDuration": 60},
         {"match": "*/experiments/big-*", "minDuration": 600},
         {"match": "*/other/*", "notifyOnDeath": false}
       ]}
      """)
    let notebook = "/home/u/experiments/big-train.ipynb"
    let metadata = SettingsPatch(notifyChannel: .channel("sms"))
    let resolved = ResolvedSettings.resolve(
      userConfig: config, notebookPath: notebook, notebookMetadata: metadata)

    #expect(
      resolved.settings
        == NotificationPolicy(
          notifyOn: .stop, notifyChannel: "sms", minDurationMilliseconds: 600_000,
          idleGraceMilliseconds: 1000,
          notifyOnDeath: true))
    #expect(
      resolved.source(of: .notifyOn)
        == .userConfigRule(file: Self.file, index: 0, match: "*/experiments/*"))
    #expect(
      resolved.source(of: .minDuration)
        == .userConfigRule(file: Self.file, index: 1, match: "*/experiments/big-*"))
    #expect(resolved.source(of: .notifyChannel) == .notebookMetadata(path: notebook))
    #expect(resolved.source(of: .idleGrace) == .defaults)
    #expect(resolved.source(of: .notifyOnDeath) == .defaults)
  }

  @Test func unknownNotebookGetsOnlyTheBaseOfTheUserConfig() throws {
    let config = try Self.config(
      #"{"notifyOn": "error", "notebooks": [{"match": "*", "notifyOn": "stop"}]}"#)
    let resolved = ResolvedSettings.resolve(
      userConfig: config, notebookPath: nil, notebookMetadata: SettingsPatch(notifyOn: .stop))
    #expect(resolved.settings.notifyOn == .error)
    #expect(resolved.source(of: .notifyOn) == .userConfig(file: Self.file))
  }

  @Test func notebookCanResetTheChannelToTheAccountDefault() throws {
    let config = try Self.config(#"{"notifyChannel": "sms"}"#)
    let resolved = ResolvedSettings.resolve(
      userConfig: config, notebookPath: "/n.ipynb",
      notebookMetadata: SettingsPatch(notifyChannel: .accountDefault))
    #expect(resolved.settings.notifyChannel == nil)
    #expect(resolved.source(of: .notifyChannel) == .notebookMetadata(path: "/n.ipynb"))
  }

  @Test func provenanceReadsWellInStatus() {
    #expect(SettingSource.defaults.description == "built-in default")
    #expect(
      SettingSource.userConfigRule(file: "/c.json", index: 2, match: "*/x/*").description
        == #"/c.json notebooks[2] (match "*/x/*")"#)
    #expect(SettingSource.notebookMetadata(path: "/n.ipynb").description == "/n.ipynb metadata.lmk")
  }
}

@Suite struct PathGlobTests {
  @Test(arguments: [
    ("*/experiments/*", "/home/u/experiments/a.ipynb", true),
    ("*/experiments/*", "/home/u/experiments/deep/er/a.ipynb", true),  // `*` crosses `/`
    ("*/experiments/*", "/home/u/experiment/a.ipynb", false),
    ("/home/u/*.ipynb", "/home/u/sub/a.ipynb", true),
    ("~/proj/*", "/home/u/proj/a.ipynb", true),
    ("~/proj/*", "/home/v/proj/a.ipynb", false),
    ("train-*.ipynb", "/any/where/train-42.ipynb", true),  // no `/`: file name only
    ("train-*.ipynb", "/train-dir/other.ipynb", false),
    ("*.ipynb", "/a/b.ipynb", true),
    ("experiments/*.ipynb", "/home/u/experiments/a.ipynb", true),  // relative: matches the end
    ("experiments/*.ipynb", "/home/u/old-experiments/a.ipynb", false),
    ("u/experiments/*", "/home/u/experiments/a.ipynb", true),
    ("[!t]*.ipynb", "/a/train.ipynb", false),
    ("?.ipynb", "/a/b.ipynb", true),
    ("/a/B.ipynb", "/a/b.ipynb", false),  // case-sensitive
    (#"/a/\*.ipynb"#, "/a/*.ipynb", true),
    (#"/a/\*.ipynb"#, "/a/x.ipynb", false),
  ])
  func matches(pattern: String, path: String, expected: Bool) {
    #expect(PathGlob(pattern, homeDirectory: "/home/u/").matches(path) == expected)
  }
}
