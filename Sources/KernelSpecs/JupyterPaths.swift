import BridgeSettings
import Foundation

/// Jupyter's data directories on Linux and macOS, computed as jupyter_core 5 does.
///
/// Used to find kernelspecs without Python; when a Jupyter Python answers the probe,
/// its own `kernel_dirs` are used instead (they are the truth for that installation).
public struct JupyterPaths: Sendable, Equatable {
  /// The user's data directory: `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else
  /// `~/.local/share/jupyter` (`~/Library/Jupyter` on macOS).
  public var userDataDirectory: String
  /// `jupyter_path("kernels")` plus `~/.ipython/kernels`, in search order (first match wins).
  public var kernelDirectories: [String]

  public init(userDataDirectory: String, kernelDirectories: [String]) {
    self.userDataDirectory = userDataDirectory
    self.kernelDirectories = kernelDirectories
  }

  /// The system-wide data directories (`SYSTEM_JUPYTER_PATH`).
  public static let systemDataDirectories = ["/usr/local/share/jupyter", "/usr/share/jupyter"]

  /// - Parameters:
  ///   - environment: reads `JUPYTER_PATH`, `JUPYTER_DATA_DIR`, `XDG_DATA_HOME`, `JUPYTER_PREFER_ENV_PATH`,
  ///     `IPYTHONDIR`.
  ///   - sysPrefix: `sys.prefix` of the Jupyter Python when known (adds `{prefix}/share/jupyter`).
  ///   - inVirtualEnvironment: that Python is a venv/conda env, where jupyter_core searches it before the user dir.
  public static func compute(
    environment: [String: String], homeDirectory: String, sysPrefix: String?,
    inVirtualEnvironment: Bool,
    isMacOS: Bool = false
  ) -> JupyterPaths {
    let home = homeDirectory
    let dataDirectory: String
    if let explicit = environment["JUPYTER_DATA_DIR"], !explicit.isEmpty {
      dataDirectory = explicit
    } else if isMacOS {
      dataDirectory = home + "/Library/Jupyter"
    } else if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
      dataDirectory = xdg + "/jupyter"
    } else {
      dataDirectory = home + "/.local/share/jupyter"
    }

    var data: [String] = []
    if let explicit = environment["JUPYTER_PATH"], !explicit.isEmpty {
      data += explicit.split(separator: ":").map { trimmingTrailingSlashes(String($0)) }
    }
    let user = [dataDirectory]
    let env =
      sysPrefix.map { [$0 + "/share/jupyter"] }?.filter { !systemDataDirectories.contains($0) }
      ?? []
    let preferEnv: Bool
    if let flag = environment["JUPYTER_PREFER_ENV_PATH"] {
      preferEnv = !["no", "n", "false", "off", "0", "0.0"].contains(flag.lowercased())
    } else {
      preferEnv = inVirtualEnvironment
    }
    data += preferEnv ? env + user : user + env
    data += systemDataDirectories

    var kernels = data.map { $0 + "/kernels" }
    let ipythonDirectory =
      environment["IPYTHONDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.ipython"
    kernels.append(ipythonDirectory + "/kernels")
    var seen = Set<String>()
    kernels = kernels.filter { seen.insert($0).inserted }
    return JupyterPaths(userDataDirectory: dataDirectory, kernelDirectories: kernels)
  }

  static func trimmingTrailingSlashes(_ path: String) -> String {
    var result = Substring(path)
    while result.count > 1, result.hasSuffix("/") { result = result.dropLast() }
    return String(result)
  }
}
