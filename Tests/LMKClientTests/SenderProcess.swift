import Foundation

/// The `lmk-test-sender` executable (built beside the test bundle) as a child process.
final class SenderProcess: @unchecked Sendable {
  static var executable: URL {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("lmk-test-sender")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return StandIn.repoRoot.appendingPathComponent(".build/debug/lmk-test-sender")
  }

  let process = Process()
  private let input = Pipe()
  private let outputFile: URL

  init(standIn: StandIn, arguments: [String]) throws {
    outputFile = standIn.directory.appendingPathComponent("sender-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    process.executableURL = Self.executable
    process.arguments = arguments
    // Under tools/sanitize.sh the child is instrumented too: it gets the same options.
    process.environment = standIn.environment().merging(
      ProcessInfo.processInfo.environment.filter { $0.key.hasSuffix("SAN_OPTIONS") }
    ) { $1 }
    process.standardInput = input
    process.standardOutput = try FileHandle(forWritingTo: outputFile)
    process.standardError = FileHandle.nullDevice
    try process.run()
  }

  /// Everything the sender printed so far.
  var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

  func send(_ line: String) { input.fileHandleForWriting.write(Data("\(line)\n".utf8)) }

  /// Waits for the line `expected` in the output.
  func waitForLine(_ expected: String, timeout: Duration = .seconds(20)) async throws {
    _ = try await waitFor("sender line \"\(expected)\" (got: \(output))", timeout: timeout) {
      output.split(separator: "\n").contains { $0 == expected } ? true : nil
    }
  }

  func kill() {
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Closes stdin and waits for the exit status.
  func finish(timeout: Duration = .seconds(30)) async throws -> Int32 {
    try? input.fileHandleForWriting.close()
    _ = try await waitFor("the sender to exit", timeout: timeout) { process.isRunning ? nil : true }
    return process.terminationStatus
  }
}
