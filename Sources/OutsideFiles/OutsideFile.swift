import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Opening and reading files that come from outside the bridge (connection files,
/// the user config, kernelspecs, notebooks): the one place in JupyterBridge that does.
///
/// - A FIFO, device, socket or directory where a file belongs is refused with a
///   message that names its kind. Opening never blocks: the file is opened with
///   `O_NONBLOCK` (a FIFO without a writer would otherwise block `open` for good) and
///   examined with `fstat` before a byte is read.
/// - Every read is capped (`OutsideFile.smallFileLimit`, `OutsideFile.notebookLimit`):
///   a huge file is an error, never that much memory.
public enum OutsideFile {
  /// Cap for small files: connection files, the user config, kernel.json (real ones
  /// are well under 4 KiB).
  public static let smallFileLimit = 1 << 20
  /// Cap for a notebook, which is streamed (memory stays at one chunk) but not read
  /// past this size: outputs may make real notebooks large, 64 MiB bounds the work.
  public static let notebookLimit = 64 << 20

  /// Why a file could not be opened or read; `problem` completes "<path> …".
  public enum Failure: Error, Equatable, Sendable {
    case missing
    case problem(String)
  }

  /// Opens `path` for reading if it is a regular file.
  public static func open(_ path: String) -> Result<FileHandle, Failure> {
    let fd = systemOpen(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      if code == ENOENT { return .failure(.missing) }
      return .failure(.problem("cannot be opened (\(String(cString: strerror(code))))"))
    }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let code = errno
      close(fd)
      return .failure(.problem("cannot be examined (\(String(cString: strerror(code))))"))
    }
    if let kind = notRegular(mode: info.st_mode) {
      close(fd)
      return .failure(.problem("is \(kind), not a regular file"))
    }
    return .success(FileHandle(fileDescriptor: fd, closeOnDealloc: true))
  }

  /// Reads the whole file, refusing one larger than `limit` bytes.
  public static func read(_ path: String, limit: Int = smallFileLimit) -> Result<Data, Failure> {
    do {
      return .success(try BoundedFileRead.contents(ofRegularFile: path, limit: limit))
    } catch let failure as BoundedFileRead.Failure {
      switch failure.reason {
      case .missing: return .failure(.missing)
      case .notRegularFile(let kind): return .failure(.problem("is \(kind), not a regular file"))
      case .tooLarge(let limit): return .failure(.problem("is larger than \(limit) bytes"))
      case .unreadable(let message): return .failure(.problem("cannot be read (\(message))"))
      }
    } catch {
      return .failure(.problem("cannot be read (\(fileErrorDescription(error)))"))
    }
  }

  /// The kind of a file that is not a regular file ("a FIFO (named pipe)"), nil for a regular one.
  package static func notRegular(mode: mode_t) -> String? {
    switch mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFDIR: return "a directory"
    case S_IFSOCK: return "a socket"
    default: return "an unknown kind of file"
    }
  }
}

/// What reading a small file gave.
package enum SmallFileRead {
  case missing
  case contents(Data)
  case failure(String)
}

/// Reads a whole file that is expected to be small; no file is not an error.
package func readSmallFile(_ path: String, limit: Int) -> SmallFileRead {
  switch OutsideFile.read(path, limit: limit) {
  case .success(let data): return .contents(data)
  case .failure(.missing): return .missing
  case .failure(.problem(let problem)): return .failure(problem)
  }
}

/// `open(2)`, outside `OutsideFile` whose own `open` would shadow it.
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
  open(path, flags)
}
