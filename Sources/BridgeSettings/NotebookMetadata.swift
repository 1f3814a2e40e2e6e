import Foundation
import OutsideFiles

/// Settings layer 3: `metadata.lmk` of a `.ipynb` file.
public enum NotebookMetadata {
  /// The largest `metadata.lmk` accepted; the real one is a few dozen bytes.
  static let captureLimit = 64 * 1024
  static let chunkSize = 64 * 1024
  /// Notebooks are streamed, but not past this size (`OutsideFile.notebookLimit`).
  static let sizeLimit = OutsideFile.notebookLimit

  /// Reads `metadata.lmk` from the notebook at `path`, streaming past cells and outputs.
  ///
  /// - Returns: the settings, or nil when the notebook has no `metadata.lmk` (or it is `null`).
  /// - Throws: `ConfigError` naming the notebook and key when the file is unreadable, not a
  ///   notebook, or `metadata.lmk` holds a wrong type or value. Keep the previous settings then.
  public static func read(path: String) throws(ConfigError) -> SettingsPatch? {
    var warnings: [String] = []
    return try read(path: path, warnings: &warnings)
  }

  /// `read(path:)`, adding one line per unknown key of `metadata.lmk` to `warnings`
  /// (with the "did you mean" the config file gives).
  public static func read(path: String, warnings: inout [String]) throws(ConfigError)
    -> SettingsPatch?
  {
    let handle: FileHandle
    switch OutsideFile.open(path) {
    case .success(let opened): handle = opened
    case .failure(.missing): throw ConfigError(file: path, problem: "cannot be opened")
    case .failure(.problem(let problem)): throw ConfigError(file: path, problem: problem)
    }
    defer { try? handle.close() }
    var scanner = JSONKeyPathScanner(path: ["metadata", "lmk"], captureLimit: captureLimit)
    var outcome = JSONKeyPathScanner.Outcome.needMore
    // Read to the end even once metadata.lmk is found: a truncated file is not used.
    var envelope = JSONEnvelopeCheck()
    var total = 0
    do {
      while envelope.problem == nil, let chunk = try handle.read(upToCount: chunkSize),
        !chunk.isEmpty
      {
        total += chunk.count  // at most notebookLimit + chunkSize: no overflow
        guard total <= sizeLimit else {
          throw ConfigError(
            file: path, problem: "is larger than \(sizeLimit) bytes; metadata.lmk not read")
        }
        if outcome == .needMore { outcome = scanner.feed(chunk) }
        envelope.feed(chunk)
      }
    } catch let error as ConfigError {
      throw error
    } catch {
      throw ConfigError(file: path, problem: "cannot be read (\(fileErrorDescription(error)))")
    }
    if outcome == .needMore { outcome = scanner.finish() }
    if case .invalid = outcome {
      // The scanner's own words name what metadata.lmk needed.
    } else if let problem = envelope.finish() {
      throw ConfigError(
        file: path, problem: "is not a readable notebook: \(problem); metadata.lmk not used")
    }
    switch outcome {
    case .absent: return nil
    case .invalid(let problem):
      throw ConfigError(file: path, problem: "is not a readable notebook: \(problem)")
    case .needMore: throw ConfigError(file: path, problem: "is not a readable notebook")
    case .found(let bytes):
      return try settings(fromJSON: Data(bytes), file: path, warnings: &warnings)
    }
  }

  /// Parses the JSON text of `metadata.lmk`.
  static func settings(fromJSON data: Data, file: String, warnings: inout [String])
    throws(ConfigError) -> SettingsPatch?
  {
    let key = "metadata.lmk"
    switch ConfigJSONValue.parse(data) {
    case .failure(let problem):
      throw ConfigError(file: file, key: key, problem: problem.message)
    case .success(.null):
      return nil
    case .success(.object(let object)):
      // Unknown keys are reported as in the config file (`notifyon` is a typo far more
      // often than a newer version's key); the watcher repeats them only when they change.
      let parsed = try SettingsPatch.parse(object, file: file, keyPath: key)
      warnings += parsed.warnings
      return parsed.patch
    case .success(let other):
      throw ConfigError(file: file, key: key, problem: "must be an object, not \(other.typeName)")
    }
  }
}

/// What identifies one version of a file: replaced (inode), rewritten (mtime) or resized.
public struct FileStamp: Sendable, Equatable {
  public var device: UInt64
  public var inode: UInt64
  public var size: Int64
  public var modifiedSeconds: Int64
  public var modifiedNanoseconds: Int64

  public init(
    device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64
  ) {
    self.device = device
    self.inode = inode
    self.size = size
    self.modifiedSeconds = modifiedSeconds
    self.modifiedNanoseconds = modifiedNanoseconds
  }

  /// The stamp of the file at `path` now; nil when it does not exist or cannot be examined.
  public static func current(path: String) -> FileStamp? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    #if canImport(Darwin)
      let modified = info.st_mtimespec
    #else
      let modified = info.st_mtim
    #endif
    return FileStamp(
      device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
      modifiedSeconds: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec))
  }
}

/// Tells the runtime when a notebook's `metadata.lmk` must be re-read.
///
/// Jupyter saves notebooks by writing a new file and renaming it, often while the
/// kernel runs; the runtime calls `poll()` every few seconds and applies what it returns.
public struct NotebookWatcher: Sendable {
  /// What a poll found.
  public enum Update: Sendable, Equatable {
    /// The notebook's settings (nil = no `metadata.lmk`) and its unknown keys, one line each.
    case settings(SettingsPatch?, warnings: [String])
    /// The notebook could not be read or its `metadata.lmk` is broken; keep what was in force.
    case unreadable(ConfigError)
  }

  public let path: String
  /// The stamp seen last; `.none` until the first observation.
  private var lastStamp: FileStamp??

  public init(path: String) {
    self.path = path
  }

  /// Records `stamp` and says whether it differs from the previous one (the first observation always does).
  public mutating func observe(_ stamp: FileStamp?) -> Bool {
    defer { lastStamp = .some(stamp) }
    guard case .some(let previous) = lastStamp else { return true }
    return previous != stamp
  }

  /// Checks the file and re-reads it when it changed; nil when unchanged.
  public mutating func poll() -> Update? {
    guard observe(FileStamp.current(path: path)) else { return nil }
    do {
      var warnings: [String] = []
      let patch = try NotebookMetadata.read(path: path, warnings: &warnings)
      return .settings(patch, warnings: warnings)
    } catch {
      return .unreadable(error)
    }
  }
}
