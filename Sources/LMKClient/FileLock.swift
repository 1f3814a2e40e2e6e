import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive `flock` held on an open file; released by `release()` or when the
/// process dies, so a crashed holder never leaves a stale lock behind.
final class FileLock: @unchecked Sendable {
  private var descriptor: Int32

  fileprivate init(descriptor: Int32) { self.descriptor = descriptor }

  /// Tries once without waiting; nil when another process holds the lock.
  static func tryLock(path: String, create: Bool) throws -> FileLock? {
    let fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0o600)
    guard fd >= 0 else {
      if !create && errno == ENOENT { return nil }
      throw LMKError.file(path: path, message: String(cString: strerror(errno)))
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      return nil
    }
    return FileLock(descriptor: fd)
  }

  /// Waits (polling, so the wait is cancellable) until the lock is free or `timeout` passes.
  static func acquire(path: String, timeout: Duration) async throws -> FileLock {
    let deadline = ContinuousClock.now + timeout
    while true {
      if let lock = try tryLock(path: path, create: true) { return lock }
      guard ContinuousClock.now < deadline else {
        throw LMKError.file(path: path, message: "still locked by another process after \(timeout)")
      }
      try await Task.sleep(for: .milliseconds(25))
    }
  }

  /// Whether the locked file was unlinked since it was opened (someone finished with it).
  var isUnlinked: Bool {
    var info = stat()
    return fstat(descriptor, &info) != 0 || info.st_nlink == 0
  }

  func release() {
    guard descriptor >= 0 else { return }
    close(descriptor)  // closing drops the flock
    descriptor = -1
  }

  deinit { release() }
}

/// Writes `data` to `path` atomically (temporary file, fsync, rename, fsync of the
/// directory) with `mode`, so readers see the old or the new file, never a torn one.
/// With `locked`, the file is `flock`ed before it appears under `path` and stays locked.
@discardableResult
func writeAtomically(_ data: Data, to path: String, mode: mode_t, locked: Bool = false) throws
  -> FileLock?
{
  let directory = (path as NSString).deletingLastPathComponent
  let temporary =
    "\(directory)/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
  guard fd >= 0 else { throw LMKError.file(path: path, message: String(cString: strerror(errno))) }
  var ok = fchmod(fd, mode) == 0 && (!locked || flock(fd, LOCK_EX | LOCK_NB) == 0)
  ok =
    ok
    && data.withUnsafeBytes { raw -> Bool in
      var offset = 0
      while offset < raw.count {
        let written = write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += written
      }
      return true
    }
  ok = ok && fsync(fd) == 0
  let failure = String(cString: strerror(errno))
  guard ok, rename(temporary, path) == 0 else {
    let message = ok ? String(cString: strerror(errno)) : failure
    close(fd)
    unlink(temporary)
    throw LMKError.file(path: path, message: message)
  }
  syncDirectory(directory)
  guard locked else {
    close(fd)
    return nil
  }
  return FileLock(descriptor: fd)
}

/// Makes a rename or unlink in `directory` durable.
func syncDirectory(_ directory: String) {
  let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
  guard fd >= 0 else { return }
  fsync(fd)
  close(fd)
}

/// Creates `path` and missing parents with `mode` (existing directories keep theirs).
func makeDirectory(_ path: String, mode: mode_t) throws {
  var isDirectory: ObjCBool = false
  if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
  {
    return
  }
  do {
    try FileManager.default.createDirectory(
      atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
  } catch {
    throw LMKError.file(
      path: path, message: "cannot create directory: \(error.localizedDescription)")
  }
}
