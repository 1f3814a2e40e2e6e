import Testing

@testable import JupyterProtocol

@Suite struct FlatJSONScannerTests {
  /// The top-level members as (raw key, value) where a value reads `"s:<decoded>"`, `null` or `other`.
  private func members(_ json: String) throws -> [String] {
    try members(Array(json.utf8))
  }

  private func members(_ json: [UInt8]) throws -> [String] {
    var out: [String] = []
    try json.withUnsafeBytes { buffer in
      try FlatJSONScanner.scan(buffer) { key, value in
        let rendered: String
        switch value {
        case .string(let raw, let escaped):
          rendered = "s:" + (try FlatJSONScanner.decodeString(raw, escaped: escaped))
        case .null: rendered = "null"
        case .other: rendered = "other"
        }
        out.append(String(decoding: key, as: UTF8.self) + "=" + rendered)
      }
    }
    return out
  }

  struct Good: Sendable, CustomTestStringConvertible {
    var json: String
    var members: [String]
    var testDescription: String { json }
  }

  static let good: [Good] = [
    Good(json: "{}", members: []),
    Good(json: " \t\r\n{ \n}\n ", members: []),
    Good(json: #"{"a":"b"}"#, members: ["a=s:b"]),
    Good(json: " {\n\t\"a\" :\r \"b\" ,  \"c\":1 }\n", members: ["a=s:b", "c=other"]),
    Good(
      json: #"{"t": true, "f": false, "n": null, "num": -1.5e+3, "z": 0}"#,
      members: ["t=other", "f=other", "n=null", "num=other", "z=other"]),
    Good(
      json: #"{"a": {"x": "}", "y": [1, "]", {"z": "\"}{]["}]}, "b": "c", "e": [], "o": {}}"#,
      members: ["a=other", "b=s:c", "e=other", "o=other"]),
    Good(
      json: #"{"deep": [[[[{"a": [[]]}]]]], "after": "yes"}"#,
      members: ["deep=other", "after=s:yes"]),
    Good(json: #"{"k": "\"\\\/\b\f\n\r\t"}"#, members: ["k=s:\"\\/\u{8}\u{c}\n\r\t"]),
    Good(json: #"{"k": "\u00e9\u2603\u0041\u00E9"}"#, members: ["k=s:é☃Aé"]),
    Good(json: #"{"k": "\ud83d\ude00 \uD83D\uDE00"}"#, members: ["k=s:😀 😀"]),
    Good(json: #"{"k": "\ud83d"}"#, members: ["k=s:\u{FFFD}"]),
    Good(json: #"{"k": "\ude00x"}"#, members: ["k=s:\u{FFFD}x"]),
    Good(json: #"{"k": "\ud83d\u0041"}"#, members: ["k=s:\u{FFFD}A"]),
    Good(json: #"{"k": "\ud83dA"}"#, members: ["k=s:\u{FFFD}A"]),
    Good(json: #"{"k": "\u0000"}"#, members: ["k=s:\u{0}"]),
    Good(json: #"{"k": "é😀☃ raw"}"#, members: ["k=s:é😀☃ raw"]),
    Good(json: #"{"k": ""}"#, members: ["k=s:"]),
    // Keys are reported as written, escapes included.
    Good(json: #"{"a\"b": "c", "": "empty"}"#, members: [#"a\"b=s:c"#, "=s:empty"]),
    Good(json: #"{"a": "1", "a": "2"}"#, members: ["a=s:1", "a=s:2"]),
  ]

  @Test(arguments: good)
  func scansTopLevelMembers(example: Good) throws {
    #expect(try members(example.json) == example.members)
  }

  enum Failure: Sendable { case notAnObject, malformed, invalidUTF8 }

  struct Bad: Sendable, CustomTestStringConvertible {
    var json: [UInt8]
    var failure: Failure
    var testDescription: String { String(decoding: json, as: UTF8.self) }
    init(_ json: String, _ failure: Failure) {
      self.json = Array(json.utf8)
      self.failure = failure
    }
    init(bytes: [UInt8], _ failure: Failure) {
      self.json = bytes
      self.failure = failure
    }
  }

  static let bad: [Bad] = [
    Bad("", .notAnObject),
    Bad("   ", .notAnObject),
    Bad("null", .notAnObject),
    Bad("[]", .notAnObject),
    Bad(#""x""#, .notAnObject),
    Bad("42", .notAnObject),
    Bad("{", .malformed),
    Bad("{ ", .malformed),
    Bad(#"{"a"}"#, .malformed),
    Bad(#"{"a":}"#, .malformed),
    Bad(#"{"a" "b"}"#, .malformed),
    Bad(#"{"a":1,}"#, .malformed),
    Bad(#"{,"a":1}"#, .malformed),
    Bad(#"{"a":1 "b":2}"#, .malformed),
    Bad(#"{a:1}"#, .malformed),
    Bad(#"{'a':1}"#, .malformed),
    Bad(#"{"a":1} x"#, .malformed),
    Bad(#"{"a":1}}"#, .malformed),
    Bad(#"{} {}"#, .malformed),
    Bad(#"{"a":"b}"#, .malformed),
    Bad(#"{"a":"b\"}"#, .malformed),
    Bad(#"{"a":"b\"#, .malformed),
    Bad(#"{"a": {"b": 1}"#, .malformed),
    Bad(#"{"a": [1, 2}"#, .malformed),
    Bad(#"{"a": 1"}"#, .malformed),
    Bad(#"{"a": nul}"#, .malformed),
    Bad("{\"a\": \"tab\there\"}", .malformed),
    Bad("{\"a\": \"line\nbreak\"}", .malformed),
    Bad(#"{"k": "\x"}"#, .malformed),
    Bad(#"{"k": "\u12"}"#, .malformed),
    Bad(#"{"k": "\uZZZZ"}"#, .malformed),
    Bad(#"{"k": "\ud83d\uZZZZ"}"#, .malformed),
    Bad(bytes: Array(#"{"k": "a"#.utf8) + [0xff] + Array(#""}"#.utf8), .invalidUTF8),
    Bad(bytes: Array(#"{"k": "\n"#.utf8) + [0xc3] + Array(#""}"#.utf8), .invalidUTF8),
    Bad(bytes: Array(#"{"k": ""#.utf8) + [0xed, 0xa0, 0x80] + Array(#""}"#.utf8), .invalidUTF8),
  ]

  @Test(arguments: bad)
  func rejectsMalformedInput(example: Bad) {
    do {
      let scanned = try members(example.json)
      Issue.record("accepted as \(scanned)")
    } catch let error as FlatJSONScanner.ScanError {
      switch (error, example.failure) {
      case (.notAnObject, .notAnObject), (.malformed, .malformed), (.invalidUTF8, .invalidUTF8):
        break
      default: Issue.record("wrong error \(error), expected \(example.failure)")
      }
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func malformedOffsetPointsAtTheProblem() {
    let json = Array(#"{"a":1 "b":2}"#.utf8)
    #expect(throws: FlatJSONScanner.ScanError.malformed(offset: 7)) {
      try json.withUnsafeBytes { try FlatJSONScanner.scan($0) { _, _ in } }
    }
  }

  @Test(arguments: [
    ("null", true), (" null\n", true), ("\tnull ", true), ("nul", false), ("null x", false),
    ("nullnull", false), ("{}", false), ("", false), ("Null", false),
  ])
  func isNull(json: String, expected: Bool) {
    let isNull = Array(json.utf8).withUnsafeBytes { FlatJSONScanner.isNull($0) }
    #expect(isNull == expected)
  }

  @Test func visitorErrorsPropagate() {
    struct Stop: Error {}
    #expect(throws: Stop.self) {
      try Array(#"{"a": 1}"#.utf8).withUnsafeBytes {
        try FlatJSONScanner.scan($0) { _, _ in throw Stop() }
      }
    }
  }
}
