import BridgeSettings
import Foundation
import Testing

@testable import KernelSpecs

/// The files in `kernel-spec/` are documentation users copy from: keep them true.
@Suite struct KernelSpecFolderTests {
  static let folder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("kernel-spec")

  @Test func templateIsAWrappedIpykernelSpec() throws {
    let file = Self.folder.appendingPathComponent("kernel.json")
    let spec = try KernelSpec(
      name: "python3-lmk", resourceDirectory: Self.folder.path, kernelJSON: Data(contentsOf: file),
      file: file.path)
    #expect(spec.isWrapped)
    #expect(
      spec.wrappedArgv == [
        "/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}",
      ])
    #expect(
      spec.json["metadata"]?.objectValue?["supported_encryption"] == .array([.string("curve")]))
  }

  @Test func exampleConfigParsesCleanly() throws {
    let file = Self.folder.appendingPathComponent("config.example.json")
    let config = try UserConfig.parse(
      Data(contentsOf: file), file: file.path, homeDirectory: "/home/u")
    #expect(config.warnings.isEmpty)
    #expect(config.rules.count == 3)
    let resolved = ResolvedSettings.resolve(
      userConfig: config, notebookPath: "/home/u/experiments/train-1.ipynb", notebookMetadata: nil)
    #expect(resolved.settings.notifyOn == .stop)
    #expect(resolved.settings.notifyChannel == "sms")
    #expect(resolved.settings.minDurationMilliseconds == 600_000)
    #expect(resolved.settings.memoryWarning == 0.9)
  }
}
