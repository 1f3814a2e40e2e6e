import BridgeSettings
import Foundation
import OutsideFiles

/// The machine's processes as Linux's `/proc` shows them, for finding a batch runner
/// (`BatchRunnerSearch`). Reads are capped and total: what cannot be read is nil.
struct ProcProcessTable: ProcessTable {
  /// A command line longer than this is not read (Linux passes at most a few MiB).
  static let commandLineLimit = 1 << 20
  /// `root` prefixes every path (tests point it at a fake `/proc`).
  var root = ""

  func parent(of pid: Int32) -> Int32? {
    MemoryFiles.keyedValue("PPid:", at: "\(root)/proc/\(pid)/status").flatMap {
      Int32(exactly: $0)
    }
  }

  func commandLine(of pid: Int32) -> [String]? {
    guard
      let data = try? BoundedFileRead.contents(
        ofRegularFile: "\(root)/proc/\(pid)/cmdline", limit: Self.commandLineLimit)
    else { return nil }
    return Self.arguments(data)
  }

  func workingDirectory(of pid: Int32) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/proc/\(pid)/cwd")
  }

  /// The NUL-separated arguments of a `cmdline` file (one trailing NUL ends the last).
  static func arguments(_ data: Data) -> [String] {
    var parts = data.split(separator: 0, omittingEmptySubsequences: false)
    if parts.last?.isEmpty == true { parts.removeLast() }
    return parts.map { String(decoding: $0, as: UTF8.self) }
  }
}
