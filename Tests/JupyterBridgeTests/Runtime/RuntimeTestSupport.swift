import Foundation

@testable import JupyterBridge

/// A fresh path in the temporary directory, for a child to write what it saw.
func temporaryPath(_ name: String) -> String {
  FileManager.default.temporaryDirectory.appendingPathComponent("lmk-\(UUID().uuidString)-\(name)")
    .path
}

/// Waits for the kernel to end, at most `seconds`.
func endStatus(of kernel: ChildProcess, within seconds: Int = 10) async -> ChildStatus? {
  await kernel.status(until: .now + .seconds(seconds))
}
