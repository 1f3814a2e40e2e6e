import Foundation

/// A file-system error in words a user can act on ("Permission denied", "No such file or
/// directory"), rather than Foundation's generic "The operation could not be completed".
package func fileErrorDescription(_ error: any Error) -> String {
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
