import Foundation
import JupyterProtocol
import OutsideFiles
import TestSupport
import Testing

@testable import BridgeSettings

/// Issue 9 item 11: a FIFO or device where a file belongs says so (and opening it never
/// blocks); every file read from outside is size-capped; a broken config or notebook
/// leaves monitoring on.
@Suite struct OutsideFileTests {
  /// Runs `body` on a thread of its own; fails instead of hanging when it blocks.
  private func withinSeconds<T: Sendable>(
    _ seconds: Int, _ body: @escaping @Sendable () -> T,
    sourceLocation: SourceLocation = #_sourceLocation
  ) -> T? {
    let done = DispatchSemaphore(value: 0)
    let box = Box<T>()
    Thread {
      box.value = body()
      done.signal()
    }.start()
    guard done.wait(timeout: .now() + .seconds(seconds)) == .success else {
      Issue.record("blocked for more than \(seconds) s", sourceLocation: sourceLocation)
      return nil
    }
    return box.value
  }

  /// What loading `path` as a connection file says ("loaded" when it works).
  private static func loadError(_ path: String) -> String {
    do {
      _ = try ConnectionInfo.load(path: path)
      return "loaded"
    } catch {
      return "\(error)"
    }
  }

  private func fifo(in directory: TemporaryDirectory, _ name: String) throws -> String {
    let path = directory.path + "/" + name
    try #require(mkfifo(path, 0o600) == 0)
    return path
  }

  @Test func aFIFOAsConnectionFileIsNamedAndDoesNotBlock() throws {
    let directory = try TemporaryDirectory()
    let path = try fifo(in: directory, "kernel-fifo.json")
    #expect(
      withinSeconds(5) { Self.loadError(path) }
        == "connection file \(path): is a FIFO (named pipe), not a regular file")
  }

  @Test(arguments: [
    ("/dev/zero", "is a character device, not a regular file"),
    ("/dev/null", "is a character device, not a regular file"),
    ("/", "is a directory, not a regular file"),
  ])
  func aDeviceOrDirectoryAsConnectionFileIsNamed(path: String, problem: String) {
    #expect(withinSeconds(5) { Self.loadError(path) } == "connection file \(path): \(problem)")
  }

  @Test func aHugeConnectionFileIsRefusedAfterTheCap() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write(
      "kernel-huge.json", String(repeating: " ", count: OutsideFile.smallFileLimit + 1))
    #expect(throws: ConnectionFileError.self) { try ConnectionInfo.load(path: path) }
    #expect(
      OutsideFile.read(path)
        == .failure(.problem("is larger than \(OutsideFile.smallFileLimit) bytes")))
    // At the cap exactly it is read.
    try Data(count: OutsideFile.smallFileLimit).write(to: URL(fileURLWithPath: path))
    #expect(try OutsideFile.read(path).get().count == OutsideFile.smallFileLimit)
  }

  @Test func aMissingFileIsMissing() {
    #expect(OutsideFile.read("/nonexistent/lmk-\(UUID().uuidString)") == .failure(.missing))
  }

  @Test func aFIFOAsUserConfigIsAWarningAndMonitoringStaysOn() throws {
    let directory = try TemporaryDirectory()
    let config = try fifo(in: directory, "config.json")
    let notebook = try directory.write(
      "nb.ipynb", #"{"cells": [], "metadata": {"lmk": {"notifyOn": "stop"}}, "nbformat": 4}"#)
    let result = withinSeconds(5) {
      BridgeConfiguration.load(
        environment: ["JUPYTER_LMK_CONFIG": config], homeDirectory: directory.path,
        notebook: NotebookLocation(path: notebook, origin: .override))
    }
    let (configuration, problems) = try #require(result)
    #expect(problems == ["config ignored: \(config): is a FIFO (named pipe), not a regular file"])
    // The other layers still apply: monitoring is not off.
    #expect(configuration.resolved.settings.notifyOn == .stop)
  }

  @Test func aFIFOAsNotebookIsAWarningAndMonitoringStaysOn() throws {
    let directory = try TemporaryDirectory()
    let config = try directory.write("config.json", #"{"notifyOn": "error"}"#)
    let notebook = try fifo(in: directory, "nb.ipynb")
    let result = withinSeconds(5) {
      BridgeConfiguration.load(
        environment: ["JUPYTER_LMK_CONFIG": config], homeDirectory: directory.path,
        notebook: NotebookLocation(path: notebook, origin: .override))
    }
    let (configuration, problems) = try #require(result)
    #expect(
      problems == [
        "notebook metadata not used: \(notebook): is a FIFO (named pipe), not a regular file"
      ])
    #expect(configuration.resolved.settings.notifyOn == .error)
  }

  @Test func aNotebookPastTheCapIsNotReadToTheEnd() throws {
    let directory = try TemporaryDirectory()
    // A notebook whose one output string runs past the cap, metadata at the end.
    let path = try directory.write("big.ipynb", #"{"cells": [{"source": ""#)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.seekToEnd()
    let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
    for _ in 0..<(OutsideFile.notebookLimit >> 20) { try handle.write(contentsOf: chunk) }
    try handle.write(contentsOf: Data(#""}], "metadata": {"lmk": {"notifyOn": "stop"}}}"#.utf8))
    try handle.close()
    #expect(
      throws: ConfigError(
        file: path,
        problem: "is larger than \(OutsideFile.notebookLimit) bytes; metadata.lmk not read")
    ) { try NotebookMetadata.read(path: path) }
  }
}

/// Carries a value from a thread to the waiter; written before the semaphore is signalled.
private final class Box<T>: @unchecked Sendable {
  var value: T?
}
