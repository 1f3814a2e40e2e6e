import Foundation

@testable import BridgeRuntime

/// Waits for the kernel to end, at most `seconds`.
func endStatus(of kernel: ChildProcess, within seconds: Int = 10) async -> ChildStatus? {
  await kernel.status(until: .now + .seconds(seconds))
}
