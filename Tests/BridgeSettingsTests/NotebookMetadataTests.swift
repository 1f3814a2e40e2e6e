import Foundation
import TestSupport
import Testing

@testable import BridgeSettings

@Suite struct JSONKeyPathScannerTests {
  typealias Outcome = JSONKeyPathScanner.Outcome

  static func scan(_ text: String, chunk: Int, limit: Int = 1000) -> Outcome {
    var scanner = JSONKeyPathScanner(path: ["metadata", "lmk"], captureLimit: limit)
    let bytes = Array(text.utf8)
    var start = 0
    while start < bytes.count {
      let outcome = scanner.feed(bytes[start..<min(start + chunk, bytes.count)])
      if outcome != .needMore { return outcome }
      start += chunk
    }
    return scanner.finish()
  }

  static func found(_ text: String) -> Outcome { .found(Array(text.utf8)) }

  static let table: [(document: String, expected: Outcome)] = [
    (#"{"metadata": {"lmk": {"notifyOn": "stop"}}}"#, found(#"{"notifyOn": "stop"}"#)),
    // Decoys: the key inside strings, in cells, nested deeper, escaped quotes and braces in strings.
    (
      #"{"cells": [{"metadata": {"lmk": {"notifyOn": "none"}}, "source": "\"metadata\": {\"lmk\": 1} }]"}], "metadata": {"kernelspec": {"lmk": 2}, "lmk": {"a": "}\"{"}}, "nbformat": 4}"#,
      found(#"{"a": "}\"{"}"#)
    ),
    (#"{"metadata": {"kernelspec": {}, "lmk": null}, "nbformat": 4}"#, found("null")),
    (#"{"metadata": {"lmk": "stop" }}"#, found(#""stop""#)),
    (#"{"metadata": {"lmk": 42, "x": 1}}"#, found("42")),
    (#"{"metadata": {"lmk": true}}"#, found("true")),
    // An escaped quote followed by a brace inside a skipped string.
    (#"{"x": "\"}", "metadata": {"lmk": 1}}"#, found("1")),
    // An escaped backslash before a closing quote; escapes around a decoy key.
    (#"{"x": "a\\", "y": "\"metadata\": {\"lmk\": 0}", "metadata": {"lmk": 1}}"#, found("1")),
    (#"{"metadata": {"lmkx": {}, "xlmk": {}}, "lmk": {}}"#, .absent),
    (#"{"cells": [], "metadata": {}, "nbformat": 4}"#, .absent),
    (#"{"cells": [], "nbformat": 4}"#, .absent),
    (#"{"metadata": [1, 2]}"#, .invalid("metadata is not an object")),
    (#"[{"metadata": {"lmk": {}}}]"#, .invalid("the document is not a JSON object")),
    ("", .invalid("the file is empty")),
    (#"{"metadata": {"lmk": {"notifyOn": "st"#, .invalid("the JSON text ends early")),
    (
      #"{"metadata": {"lmk": {"x": "\#(String(repeating: "y", count: 2000))"}}}"#,
      .invalid("metadata.lmk is larger than 1000 bytes")
    ),
    (
      " \n\t{ \"metadata\" :\n { \"lmk\" :\n {\"minDuration\": 5}\n}\n}",
      found("{\"minDuration\": 5}")
    ),
  ]

  @Test(arguments: [1, 3, 7, 64 * 1024])
  func findsOnlyTheTopLevelValueWhateverTheChunking(chunk: Int) {
    for (document, expected) in Self.table {
      #expect(Self.scan(document, chunk: chunk) == expected, "\(document)")
    }
  }
}

@Suite struct NotebookMetadataTests {
  static func notebook(metadata: String, cells: Int = 2, outputBytes: Int = 10) -> String {
    let output = String(repeating: "A", count: outputBytes)
    let cell =
      ##"{"cell_type": "code", "metadata": {"lmk": {"notifyOn": "none"}}, "outputs": [{"data": {"image/png": "\##(output)"}}], "source": ["# lmk: notify=stop"]}"##
    return
      #"{"cells": [\#(Array(repeating: cell, count: cells).joined(separator: ", "))], "metadata": \#(metadata), "nbformat": 4, "nbformat_minor": 5}"#
  }

  @Test func readsLmkFromALargeNotebook() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      "big.ipynb",
      Self.notebook(
        metadata:
          #"{"kernelspec": {"name": "python3"}, "lmk": {"notifyOn": "error", "minDuration": 120, "notifyChannel": "sms"}}"#,
        cells: 20, outputBytes: 500_000))
    let patch = try NotebookMetadata.read(path: path)
    #expect(
      patch
        == SettingsPatch(
          notifyOn: .error, notifyChannel: .channel("sms"), minDurationMilliseconds: 120_000))
  }

  @Test(arguments: [
    (#"{"kernelspec": {}}"#, nil as SettingsPatch?),
    (#"{"lmk": null}"#, nil),
    (#"{"lmk": {}}"#, SettingsPatch()),
    (#"{"lmk": {"notifyOnDeath": false, "futureKey": 1}}"#, SettingsPatch(notifyOnDeath: false)),
    (#"{"lmk": {"memoryWarning": 0.75}}"#, SettingsPatch(memoryWarning: 0.75)),
  ])
  func absentOrEmptyLmk(metadata: String, expected: SettingsPatch?) throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("nb.ipynb", Self.notebook(metadata: metadata))
    #expect(try NotebookMetadata.read(path: path) == expected)
  }

  @Test(arguments: [
    (
      notebook(metadata: #"{"lmk": {"notifyOn": "sometimes"}}"#),
      "metadata.lmk.notifyOn" as String?, "must be one of"
    ),
    (notebook(metadata: #"{"lmk": ["stop"]}"#), "metadata.lmk", "must be an object, not an array"),
    (
      notebook(metadata: #"{"lmk": {"minDuration": "1m"}}"#), "metadata.lmk.minDuration",
      "number of seconds"
    ),
    (
      notebook(metadata: #"{"lmk": {"memoryWarning": -0.5}}"#), "metadata.lmk.memoryWarning",
      "more than 0 and at most 1"
    ),
    (notebook(metadata: #"{"lmk": {"notifyOn": stop}}"#), "metadata.lmk", "not valid JSON"),
    (#"{"cells": [], "metadata": {"lmk": {"notifyOn": "st"#, nil, "ends early"),
    (#"{"cells": [], "metadata": null}"#, nil, "metadata is not an object"),
    // Whole metadata.lmk, but the file is cut short or has a tail: not half-read.
    (
      #"{"cells": [], "metadata": {"lmk": {"notifyOn": "stop"}}, "nbformat": 4, "nbfor"#, nil,
      "ends early"
    ),
    (#"{"metadata": {"lmk": {"notifyOn": "stop"}}, "cells": [{"source": "x"#, nil, "ends early"),
    (#"{"metadata": {"lmk": {"notifyOn": "stop"}}} {"#, nil, "more after the end"),
    (#"{"metadata": {"lmk": {"notifyOn": "stop"}}, "cells": [}"#, nil, "does not match"),
    (#"{"cells": [], "metadata": {"kernelspec": {}}, "nbf"#, nil, "ends early"),
  ])
  func brokenLmkNamesTheNotebookAndKey(document: String, key: String?, problem: String) throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("nb.ipynb", document)
    #expect {
      _ = try NotebookMetadata.read(path: path)
    } throws: { error in
      guard let error = error as? ConfigError else { return false }
      return error.file == path && error.key == key && error.problem.contains(problem)
    }
  }

  @Test func missingNotebookIsAnError() {
    #expect(throws: ConfigError(file: "/nonexistent/nb.ipynb", problem: "cannot be opened")) {
      try NotebookMetadata.read(path: "/nonexistent/nb.ipynb")
    }
  }
}

@Suite struct NotebookWatcherTests {
  static let stamp = FileStamp(
    device: 1, inode: 7, size: 100, modifiedSeconds: 1000, modifiedNanoseconds: 5)

  /// `observe` as a free function, so `#expect` can show its result.
  private func changed(_ watcher: inout NotebookWatcher, _ stamp: FileStamp?) -> Bool {
    watcher.observe(stamp)
  }

  @Test func observeReportsEveryDifference() {
    var watcher = NotebookWatcher(path: "/n.ipynb")
    #expect(changed(&watcher, Self.stamp))  // first look
    #expect(!changed(&watcher, Self.stamp))
    var stamp = Self.stamp
    stamp.modifiedNanoseconds += 1
    #expect(changed(&watcher, stamp))
    stamp.size += 1
    #expect(changed(&watcher, stamp))
    stamp.inode += 1  // saved by rename
    #expect(changed(&watcher, stamp))
    #expect(changed(&watcher, nil))  // deleted
    #expect(!changed(&watcher, nil))
    #expect(changed(&watcher, stamp))  // back
  }

  @Test func firstObservationOfAMissingFileCountsAsAChange() {
    var watcher = NotebookWatcher(path: "/n.ipynb")
    #expect(changed(&watcher, nil))
  }

  @Test func pollRereadsOnlyWhenTheFileChanges() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      "nb.ipynb", NotebookMetadataTests.notebook(metadata: #"{"lmk": {"notifyOn": "error"}}"#))
    var watcher = NotebookWatcher(path: path)
    var update = watcher.poll()
    #expect(update == .settings(SettingsPatch(notifyOn: .error), warnings: []))
    update = watcher.poll()
    #expect(update == nil)

    // Saved the way Jupyter saves: a new file renamed over the old one.
    try directory.write(
      "tmp.ipynb", NotebookMetadataTests.notebook(metadata: #"{"lmk": {"notifyOn": "stop"}}"#))
    try FileManager.default.removeItem(atPath: path)
    try FileManager.default.moveItem(atPath: directory.path + "/tmp.ipynb", toPath: path)
    update = watcher.poll()
    #expect(update == .settings(SettingsPatch(notifyOn: .stop), warnings: []))

    try directory.write(
      "nb.ipynb", NotebookMetadataTests.notebook(metadata: #"{"lmk": {"notifyOn": 3}}"#))
    guard case .unreadable(let error)? = watcher.poll() else {
      Issue.record("a broken metadata.lmk must be reported")
      return
    }
    #expect(error.key == "metadata.lmk.notifyOn")
    update = watcher.poll()
    #expect(update == nil)
  }
}
