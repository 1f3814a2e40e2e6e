import ArgumentParser
import Foundation
import LMKClient
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Shared by the account commands: the LMK service from the environment. Errors are
/// thrown, and swift-argument-parser prints what they describe as one `Error: …` line
/// with exit status 1 (no backtraces for user problems).
enum LMKCommandSupport {
  static func service() throws -> LMKService {
    var logger = Logger(label: "jupyter-lmk")
    logger.logLevel =
      ProcessInfo.processInfo.environment["JUPYTER_LMK_DEBUG"] == nil ? .warning : .debug
    return try LMKService(logger: logger)
  }

}
