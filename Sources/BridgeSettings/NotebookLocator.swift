import Foundation
import OutsideFiles

/// Where the notebook a kernel serves was found, and how.
public struct NotebookLocation: Sendable, Equatable {
  public enum Origin: Sendable, Equatable {
    /// `--notebook PATH`.
    case override
    /// An absolute `JPY_SESSION_NAME` / `jupyter_session` (jupyter_server ≥ 2.0.7 with JupyterLab or Notebook 7).
    case absoluteSessionName
    /// A session path relative to the server root, found below the kernel's working directory.
    case relativeSessionName
    /// The input notebook on a batch runner's command line (papermill, nbconvert, `jupyter execute`).
    case batchRunner
  }

  /// Absolute, normalised path of the `.ipynb` file.
  public var path: String
  public var origin: Origin

  public init(path: String, origin: Origin) {
    self.path = path
    self.origin = origin
  }

  /// The notebook's file name, which names the LMK session.
  public var name: String { (path as NSString).lastPathComponent }
}

/// Finds the notebook file from what Jupyter tells a kernel (docs/BEHAVIOUR.md, "Settings").
///
/// jupyter_server sets `JPY_SESSION_NAME` to the session path, absolute (≥ 2.0.7 when the
/// frontend sends the session's name) or relative to the *server* root, and starts the kernel
/// in the notebook's folder. So a relative `sub/nb.ipynb` with working directory `/srv/sub`
/// means root `/srv`. Only the file system can confirm a guess, hence `fileExists`.
public struct NotebookLocator: Sendable {
  public var fileExists: @Sendable (String) -> Bool

  public init(
    fileExists: @escaping @Sendable (String) -> Bool = {
      FileManager.default.fileExists(atPath: $0)
    }
  ) {
    self.fileExists = fileExists
  }

  /// - Parameters:
  ///   - override: `--notebook PATH`; relative to `invocationDirectory`; wins over everything.
  ///   - batchRunner: what the processes above the kernel say (launcher mode). A runner's
  ///     notebook wins over `sessionName`, which a runner started from inside a notebook inherits.
  ///   - sessionName: `JPY_SESSION_NAME` from the (kernel's) environment.
  ///   - connectionFileSession: the connection file's `jupyter_session` (`""` = unset), used
  ///     when the environment has none (attach mode, where the kernel's environment is unknown).
  ///   - kernelWorkingDirectory: the kernel's cwd; nil in attach mode, where only absolute values work.
  ///   - invocationDirectory: the bridge's own cwd.
  /// - Returns: nil when the notebook is unknown; name the session `"<kernel name> kernel"` then
  ///   (`fallbackSessionName`) and skip the notebook's metadata.
  public func locate(
    override: String?, batchRunner: BatchRunnerSearch.Finding? = nil, sessionName: String?,
    connectionFileSession: String? = nil, kernelWorkingDirectory: String?,
    invocationDirectory: String
  ) -> NotebookLocation? {
    if let override, !override.isEmpty {
      return NotebookLocation(
        path: PathText.absolute(override, relativeTo: invocationDirectory), origin: .override)
    }
    if case .found(let path, _, _) = batchRunner {
      return NotebookLocation(path: path, origin: .batchRunner)
    }
    guard
      let value = [sessionName, connectionFileSession].compactMap({ $0 }).first(where: {
        !$0.isEmpty
      })
    else { return nil }
    if value.hasPrefix("/") {
      return NotebookLocation(path: PathText.normalised(value), origin: .absoluteSessionName)
    }
    guard let cwd = kernelWorkingDirectory else { return nil }
    let found = Self.candidates(relativeSessionName: value, kernelWorkingDirectory: cwd).first(
      where: fileExists)
    return found.map { NotebookLocation(path: $0, origin: .relativeSessionName) }
  }

  /// The session name when no notebook is known.
  public static func fallbackSessionName(kernelName: String) -> String { "\(kernelName) kernel" }

  /// Where a relative session path may be, best guess first:
  /// the root found by stripping the value's folder from the end of the cwd; the cwd as the root
  /// (a kernel started in the server root); the notebook's file name in the cwd.
  static func candidates(relativeSessionName value: String, kernelWorkingDirectory cwd: String)
    -> [String]
  {
    let relative = PathText.normalised(value)
    let cwd = PathText.normalised(cwd)
    let folder = (relative as NSString).deletingLastPathComponent
    let name = (relative as NSString).lastPathComponent
    var result: [String] = []
    if folder.isEmpty {
      result.append(PathText.join(cwd, relative))
    } else if cwd == "/" + folder || cwd.hasSuffix("/" + folder) {
      let root = String(cwd.dropLast(folder.count + 1))
      result.append(PathText.join(root.isEmpty ? "/" : root, relative))
    }
    result.append(PathText.join(cwd, relative))
    result.append(PathText.join(cwd, name))
    var seen = Set<String>()
    return result.filter { seen.insert($0).inserted }
  }
}
