import ExecutionCore
import Foundation
import FuzzSupport

@testable import BridgeSettings
@testable import JupyterProtocol

/// The bridge's own inputs from files and cells: the user config, a
/// notebook's `metadata.lmk` (streamed as `NotebookMetadata.read` does), a
/// cell's `%lmk` directives and a kernel's connection file.
///
/// Input: a selector byte, then the document. Selector % 4: 0 user config,
/// 1 notebook (the high bits choose the read chunk size), 2 cell code,
/// 3 connection file.
enum ConfigHarness {
  static func run(_ input: [UInt8]) {
    guard let selector = input.first else { return }
    let document = Array(input.dropFirst())
    switch selector % 4 {
    case 0: userConfig(document)
    case 1: notebook(document, chunkSize: 1 + Int(selector >> 2) * 7)
    case 2: cell(String(decoding: document, as: UTF8.self))
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

  static func connectionFile(_ bytes: [UInt8]) {
    guard let info = try? ConnectionInfo.parse(Data(bytes), path: "/fuzz/kernel.json") else {
      return
    }
    for channel in ConnectionInfo.Channel.allCases { _ = info.endpoint(channel) }
    _ = MessageSigner(scheme: info.signatureScheme, key: info.key).isSigning
  }
}
