import ExecutionCore
import Foundation
import FuzzSupport

@testable import BridgeSettings
@testable import JupyterProtocol

/// The bridge's own inputs from files, cells and processes: the user config, a
/// notebook's `metadata.lmk` (streamed as `NotebookMetadata.read` does), a
/// cell's `%lmk` directives, a kernel's connection file, and a batch runner's
/// command line (`/proc/<pid>/cmdline`).
///
/// Input: a selector byte, then the document. Selector % 4: 0 user config,
/// 1 notebook (the high bits choose the read chunk size), 2 cell code and the
/// same bytes as a NUL-separated command line, 3 connection file.
enum ConfigHarness {
  static func run(_ input: [UInt8]) {
    guard let selector = input.first else { return }
    let document = Array(input.dropFirst())
    switch selector % 4 {
    case 0: userConfig(document)
    case 1: notebook(document, chunkSize: 1 + Int(selector >> 2) * 7)
    case 2:
      cell(String(decoding: document, as: UTF8.self))
      commandLine(document)
    default: connectionFile(document)
    }
  }

  static func userConfig(_ bytes: [UInt8]) {
    guard
      let config = try? UserConfig.parse(
        Data(bytes), file: "/fuzz/config.json", homeDirectory: "/home/fuzz")
    else { return }
    for notebook in [nil, "/home/fuzz/experiments/a.ipynb", "/tmp/b.ipynb"] {
      let layers = config.layers(forNotebook: notebook)
      _ = ResolvedSettings.resolve(layers).settings
    }
  }

  /// `NotebookMetadata.read` without the file: the same scanner fed chunk by chunk.
  static func notebook(_ bytes: [UInt8], chunkSize: Int) {
    var scanner = JSONKeyPathScanner(
      path: ["metadata", "lmk"], captureLimit: NotebookMetadata.captureLimit)
    var outcome = JSONKeyPathScanner.Outcome.needMore
    var start = 0
    while outcome == .needMore, start < bytes.count {
      let end = min(bytes.count, start + chunkSize)
      outcome = scanner.feed(bytes[start..<end])
      start = end
    }
    if outcome == .needMore { outcome = scanner.finish() }
    guard case .found(let captured) = outcome else { return }
    var warnings: [String] = []
    guard
      let patch = try? NotebookMetadata.settings(
        fromJSON: Data(captured), file: "/fuzz/a.ipynb", warnings: &warnings)
    else { return }
    _ = ResolvedSettings.resolve([SettingsLayer(source: .defaults, patch: patch)])
  }

  static func cell(_ code: String) {
    guard let directive = CellDirective.parse(code: code) else { return }
    var merged = directive
    merged.merge(directive)
    _ = merged.applied(to: .defaults)
  }

  /// The bytes as a runner's `cmdline`, read as the parent of a supervisor and above a shell.
  static func commandLine(_ bytes: [UInt8]) {
    let argv = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    _ = BatchRunnerCommandLine.read(argv, workingDirectory: "/home/fuzz")
    _ = BatchRunnerSearch.find(from: 100, in: FixedProcesses(argv: argv)) { _ in true }
  }

  /// pid 100 is a shell whose parent, pid 99, runs `argv` in /home/fuzz.
  struct FixedProcesses: ProcessTable {
    var argv: [String]
    func parent(of pid: Int32) -> Int32? { pid == 100 ? 99 : 1 }
    func commandLine(of pid: Int32) -> [String]? { pid == 100 ? ["/bin/sh"] : argv }
    func workingDirectory(of pid: Int32) -> String? { "/home/fuzz" }
  }

  static func connectionFile(_ bytes: [UInt8]) {
    guard let info = try? ConnectionInfo.parse(Data(bytes), path: "/fuzz/kernel.json") else {
      return
    }
    for channel in ConnectionInfo.Channel.allCases { _ = info.endpoint(channel) }
    _ = MessageSigner(scheme: info.signatureScheme, key: info.key).isSigning
  }
}
