import Foundation
import OutsideFiles

/// The private folder of local control, `<Jupyter runtime dir>/jupyter-lmk` (0700):
/// one state file per running bridge (`<kernel id>.json`, 0600) and the request
/// files `jupyter-lmk notify` leaves for a bridge (`<kernel id>.request`). No
/// listening socket: a folder only its owner can enter is the access control.
public struct LocalControlFolder: Sendable, Equatable {
  public let path: String

  public init(path: String) {
    self.path = path
  }

  /// The folder in Jupyter's runtime directory (`$JUPYTER_RUNTIME_DIR`, else
  /// `<Jupyter data dir>/runtime`, as jupyter_core computes it).
  public static func standard(environment: [String: String]) -> LocalControlFolder {
    LocalControlFolder(
      path: ConnectionFileLocator.runtimeDirectory(environment: environment) + "/jupyter-lmk")
  }

  /// A bridge's name here: the id in the connection file's name (`kernel-<id>.json`),
  /// else that name without `.json`; characters other than letters, digits, `.`, `_`
  /// and `-` become `_`, so it is always one safe file name.
  public static func kernelId(connectionFile: String) -> String {
    var name = Substring((connectionFile as NSString).lastPathComponent)
    if name.hasSuffix(".json") { name = name.dropLast(5) }
    if name.hasPrefix("kernel-"), name.count > 7 { name = name.dropFirst(7) }
    var id = String(
      name.prefix(128).map {
        $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_"
      })
    if id.hasPrefix(".") { id = "_" + id.dropFirst() }
    return id.isEmpty ? "kernel" : id
  }

  public func statePath(kernelId: String) -> String { "\(path)/\(kernelId).json" }
  public func requestPath(kernelId: String) -> String { "\(path)/\(kernelId).request" }

  /// Why the folder cannot be trusted; the bridge runs on without local control.
  public struct Unusable: Error, Equatable, CustomStringConvertible {
    public let description: String
  }

  /// Makes the folder (0700, and the runtime directory above it if missing) or checks
  /// the one there: a symlink, something other than a folder, or a folder of another
  /// user is refused; a folder of ours that others may enter is closed to them.
  public func prepare() throws(Unusable) {
    let parent = (path as NSString).deletingLastPathComponent
    if !FileManager.default.fileExists(atPath: parent) {
      try? FileManager.default.createDirectory(
        atPath: parent, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
    }
    if mkdir(path, 0o700) != 0, errno != EEXIST {
      throw Unusable(
        description: "\(path) cannot be created (\(String(cString: strerror(errno))))")
    }
    try check()
  }

  /// Checks the folder without creating it (a missing one is `Unusable` too).
  public func check() throws(Unusable) {
    var info = stat()
    guard lstat(path, &info) == 0 else {
      throw Unusable(
        description: "\(path) cannot be examined (\(String(cString: strerror(errno))))")
    }
    let kind = info.st_mode & S_IFMT
    if kind == S_IFLNK {
      throw Unusable(description: "\(path) is a symlink; local control needs a real folder")
    }
    if kind != S_IFDIR { throw Unusable(description: "\(path) is not a folder") }
    if info.st_uid != geteuid() {
      throw Unusable(description: "\(path) belongs to uid \(info.st_uid), not to this user")
    }
    if info.st_mode & 0o077 != 0, chmod(path, 0o700) != 0 {
      throw Unusable(description: "\(path) is open to others and cannot be closed")
    }
  }

  /// Writes `data` in one rename (a reader never sees half of it), readable by its
  /// owner only; false when it could not.
  @discardableResult
  public func writeAtomically(_ data: Data, to target: String) -> Bool {
    let name = (target as NSString).lastPathComponent
    let staging = "\(path)/.\(name).\(getpid()).tmp"
    unlink(staging)
    let fd = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return false }
    let written = data.withUnsafeBytes { buffer -> Bool in
      var offset = 0
      while offset < buffer.count {
        let count = write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return false }
        offset += count
      }
      return true
    }
    close(fd)
    guard written, rename(staging, target) == 0 else {
      unlink(staging)
      return false
    }
    return true
  }

  /// The state files here, read bounded: those of bridges alive now, and the paths
  /// of those whose bridge is gone (killed before it could remove its file).
  public func states() -> (live: [BridgeState], stale: [String]) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    var live: [BridgeState] = []
    var stale: [String] = []
    for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
      let file = "\(path)/\(name)"
      guard case .success(let data) = OutsideFile.read(file, limit: BridgeState.sizeLimit),
        let state = BridgeState.decode(data), "\(state.kernelId).json" == name
      else { continue }
      if ProcessIdentity(pid: state.pid, startTicks: state.pidStartTicks).isAlive {
        live.append(state)
      } else {
        stale.append(file)
      }
    }
    return (live, stale)
  }

  /// The state of the bridge of `kernelId`, if one is alive.
  public func liveState(kernelId: String) -> BridgeState? {
    guard
      case .success(let data) = OutsideFile.read(
        statePath(kernelId: kernelId), limit: BridgeState.sizeLimit),
      let state = BridgeState.decode(data), state.kernelId == kernelId,
      ProcessIdentity(pid: state.pid, startTicks: state.pidStartTicks).isAlive
    else { return nil }
    return state
  }
}
