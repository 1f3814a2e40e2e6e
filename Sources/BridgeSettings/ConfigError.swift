import Foundation

/// A configuration source that cannot be used, with the file and key at fault.
///
/// The launcher must never fail because of configuration: callers log this
/// one line and carry on with the layers that did load.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file that holds the problem.
  public var file: String
  /// The key path inside the file (`notebooks[1].minDuration`), nil for the whole file.
  public var key: String?
  /// What is wrong, in words.
  public var problem: String

  public init(file: String, key: String? = nil, problem: String) {
    self.file = file
    self.key = key
    self.problem = problem
  }

  public var description: String {
    if let key { return "\(file): \(key): \(problem)" }
    return "\(file): \(problem)"
  }
}
