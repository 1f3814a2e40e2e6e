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

/// A file-system error in words a user can act on ("Permission denied", "No such file or
/// directory"), rather than Foundation's generic "The operation could not be completed".
func fileErrorDescription(_ error: any Error) -> String {
  let nsError = error as NSError
  let posix =
    nsError.domain == NSPOSIXErrorDomain
    ? nsError : nsError.userInfo[NSUnderlyingErrorKey] as? NSError
  if let posix, posix.domain == NSPOSIXErrorDomain, let message = strerror(Int32(posix.code)) {
    return String(cString: message)
  }
  if nsError.domain == NSCocoaErrorDomain {
    switch CocoaError.Code(rawValue: nsError.code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "No such file or directory"
    case .fileReadNoPermission, .fileWriteNoPermission: return "Permission denied"
    case .fileWriteFileExists: return "File exists"
    case .fileWriteOutOfSpace: return "No space left on device"
    case .fileWriteVolumeReadOnly: return "Read-only file system"
    default: break
    }
  }
  return nsError.localizedDescription
}
