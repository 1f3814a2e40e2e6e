import ExecutionCore
import Foundation
import TestSupport
import Testing

@testable import BridgeSettings

@Suite struct UserConfigTests {
  static let file = "/home/u/.config/jupyter-lmk/config.json"

  struct Good: Sendable, CustomTestStringConvertible {
    var text: String
    var base: SettingsPatch
    var rules: [(match: String, patch: SettingsPatch)] = []
    var warnings: [String] = []
    var testDescription: String { text }
  }

  static let good: [Good] = [
    Good(text: "{}", base: SettingsPatch()),
    Good(
      text:
        #"{"notifyOn": "error", "notifyChannel": "sms", "minDuration": 120, "idleGrace": 2.5, "notifyOnDeath": false}"#,
      base: SettingsPatch(
        notifyOn: .error, notifyChannel: .channel("sms"), minDurationMilliseconds: 120_000,
        idleGraceMilliseconds: 2500, notifyOnDeath: false)),
    Good(text: #"{"notifyChannel": null}"#, base: SettingsPatch(notifyChannel: .accountDefault)),
    Good(text: #"{"notifyChannel": "  "}"#, base: SettingsPatch(notifyChannel: .accountDefault)),
    Good(
      text: #"{"notifyChannel": " ch-sms "}"#,
      base: SettingsPatch(notifyChannel: .channel("ch-sms"))),
    Good(text: #"{"minDuration": 0}"#, base: SettingsPatch(minDurationMilliseconds: 0)),
    Good(
      text:
        #"{"notifyOn": "stop", "notebooks": [{"match": "*/exp/*", "notifyOn": "none"}, {"match": "~/x.ipynb", "minDuration": 1}]}"#,
      base: SettingsPatch(notifyOn: .stop),
      rules: [
        ("*/exp/*", SettingsPatch(notifyOn: NotifyOn.none)),
        ("~/x.ipynb", SettingsPatch(minDurationMilliseconds: 1000)),
      ]),
    Good(text: #"{"notebooks": null}"#, base: SettingsPatch()),
    Good(text: #"{"memoryWarning": 0.9}"#, base: SettingsPatch(memoryWarning: 0.9)),
    Good(text: #"{"memoryWarning": 1}"#, base: SettingsPatch(memoryWarning: 1)),
    Good(
      text: #"{"notifyon": "stop", "colour": 1, "notebooks": [{"match": "a", "matches": 2}]}"#,
      base: SettingsPatch(),
      rules: [("a", SettingsPatch())],
      warnings: [
        "\(file): colour: unknown key ignored",
        "\(file): notifyon: unknown key ignored (did you mean \"notifyOn\"?)",
        "\(file): notebooks[0].matches: unknown key ignored (did you mean \"match\"?)",
      ]),
  ]

  @Test(arguments: good)
  func parsesGoodFiles(_ example: Good) throws {
    let config = try UserConfig.parse(
      Data(example.text.utf8), file: Self.file, homeDirectory: "/home/u")
    #expect(config.base == example.base)
    #expect(config.rules.map(\.match.pattern) == example.rules.map(\.match))
    #expect(config.rules.map(\.patch) == example.rules.map(\.patch))
    #expect(config.warnings == example.warnings)
  }

  struct Bad: Sendable, CustomTestStringConvertible {
    var text: String
    var key: String?
    var problemContains: String
    var testDescription: String { text }
  }

  static let bad: [Bad] = [
    Bad(text: "", key: nil, problemContains: "not valid JSON"),
    Bad(
      text: #"{"notifyOn": "error" "minDuration": 1}"#, key: nil, problemContains: "not valid JSON"),
    Bad(text: #"{"notifyOn": stop}"#, key: nil, problemContains: "not valid JSON"),
    Bad(text: "[1, 2]", key: nil, problemContains: "must hold a JSON object, not an array"),
    Bad(text: #"{"notifyOn": "always"}"#, key: "notifyOn", problemContains: #"(got "always")"#),
    Bad(text: #"{"notifyOn": true}"#, key: "notifyOn", problemContains: "not a boolean"),
    Bad(text: #"{"notifyChannel": 3}"#, key: "notifyChannel", problemContains: "not a number"),
    Bad(
      text: #"{"minDuration": "60"}"#, key: "minDuration",
      problemContains: "number of seconds, not a string"),
    Bad(text: #"{"minDuration": -1}"#, key: "minDuration", problemContains: "between 0 and"),
    Bad(text: #"{"idleGrace": 1e12}"#, key: "idleGrace", problemContains: "between 0 and"),
    Bad(text: #"{"notifyOnDeath": "yes"}"#, key: "notifyOnDeath", problemContains: "true or false"),
    Bad(text: #"{"notifyOnDeath": 1}"#, key: "notifyOnDeath", problemContains: "true or false"),
    Bad(text: #"{"memoryWarning": 0}"#, key: "memoryWarning", problemContains: "more than 0"),
    Bad(
      text: #"{"memoryWarning": 90}"#, key: "memoryWarning", problemContains: "at most 1 (got 90.0)"
    ),
    Bad(
      text: #"{"memoryWarning": "90%"}"#, key: "memoryWarning",
      problemContains: "fraction of the memory limit (a number), not a string"),
    Bad(text: #"{"notebooks": {}}"#, key: "notebooks", problemContains: "array of rules"),
    Bad(
      text: #"{"notebooks": ["*.ipynb"]}"#, key: "notebooks[0]",
      problemContains: "must be an object"),
    Bad(
      text: #"{"notebooks": [{"notifyOn": "stop"}]}"#, key: "notebooks[0].match",
      problemContains: "path glob"),
    Bad(
      text: #"{"notebooks": [{"match": "a"}, {"match": "b", "notifyOn": "loud"}]}"#,
      key: "notebooks[1].notifyOn",
      problemContains: "must be one of"),
  ]

  @Test(arguments: bad)
  func rejectsBadFilesNamingFileAndKey(_ example: Bad) {
    #expect {
      _ = try UserConfig.parse(Data(example.text.utf8), file: Self.file, homeDirectory: "/home/u")
    } throws: { error in
      guard let error = error as? ConfigError else { return false }
      return error.file == Self.file && error.key == example.key
        && error.problem.contains(example.problemContains)
        && error.description.hasPrefix(Self.file)
    }
  }

  @Test(arguments: [
    ([String: String](), "/home/u/.config/jupyter-lmk/config.json"),
    (["XDG_CONFIG_HOME": "/xdg"], "/xdg/jupyter-lmk/config.json"),
    (["XDG_CONFIG_HOME": "relative/dir"], "/home/u/.config/jupyter-lmk/config.json"),
    (["XDG_CONFIG_HOME": "/xdg", "JUPYTER_LMK_CONFIG": "/etc/lmk.json"], "/etc/lmk.json"),
    (["JUPYTER_LMK_CONFIG": ""], "/home/u/.config/jupyter-lmk/config.json"),
  ])
  func locatesTheFile(environment: [String: String], expected: String) {
    #expect(UserConfig.path(environment: environment, homeDirectory: "/home/u") == expected)
  }

  @Test func loadTreatsAMissingFileAsNoLayerAndReportsUnreadableOnes() throws {
    let directory = try TemporaryDirectory()
    #expect(try UserConfig.load(path: directory.path + "/absent.json", homeDirectory: nil) == nil)

    let good = directory.path + "/config.json"
    try Data(#"{"notifyOn": "stop"}"#.utf8).write(to: URL(fileURLWithPath: good))
    #expect(try UserConfig.load(path: good, homeDirectory: nil)?.base.notifyOn == .stop)

    #expect(throws: ConfigError.self) {
      try UserConfig.load(path: directory.path, homeDirectory: nil)
    }
    let huge = directory.path + "/huge.json"
    try Data(repeating: UInt8(ascii: " "), count: UserConfig.maximumFileSize + 1).write(
      to: URL(fileURLWithPath: huge))
    #expect(
      throws: ConfigError(file: huge, problem: "is larger than \(UserConfig.maximumFileSize) bytes")
    ) {
      try UserConfig.load(path: huge, homeDirectory: nil)
    }
  }
}
