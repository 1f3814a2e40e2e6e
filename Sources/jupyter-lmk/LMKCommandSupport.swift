import ArgumentParser
import Foundation
import LMKClient
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Shared by the account commands: builds the LMK service from the environment and turns
/// its errors into one line on stderr and exit status 1 (no backtraces for user problems).
enum LMKCommandSupport {
  static func service() throws -> LMKService {
    var logger = Logger(label: "jupyter-lmk")
    logger.logLevel =
      ProcessInfo.processInfo.environment["JUPYTER_LMK_DEBUG"] == nil ? .warning : .debug
    return try LMKService(logger: logger)
  }

  /// Runs `body`, reporting an `LMKError` as `jupyter-lmk: error: …` and exit status 1.
  static func run(_ body: () async throws -> Void) async throws {
    do {
      try await body()
    } catch let error as LMKError {
      fail("\(error)")
    }
  }

  static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("jupyter-lmk: error: \(message)\n".utf8))
    exit(1)
  }

  static func note(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
  }

  static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
