import BridgeSettings
import Foundation
import OutsideFiles

/// The kernelspecs Jupyter would offer, found the way jupyter_client finds them.
public struct KernelSpecCatalog: Sendable {
  /// The directories searched, in order.
  public var directories: [String]
  /// Every spec on disk, in search order; a name may appear more than once (the first is in force).
  public var onDisk: [KernelSpec]
  /// Specs only Jupyter's Python reports (ipykernel's built-in `python3` when no such directory exists).
  public var builtIn: [KernelSpec]
  /// `kernel.json` files that could not be read; Jupyter skips them too.
  public var problems: [ConfigError]

  public init(
    directories: [String], onDisk: [KernelSpec], builtIn: [KernelSpec] = [],
    problems: [ConfigError] = []
  ) {
    self.directories = directories
    self.onDisk = onDisk
    self.builtIn = builtIn
    self.problems = problems
  }

  /// The spec Jupyter uses for each name, sorted by name.
  public var inForce: [KernelSpec] {
    var byName: [String: KernelSpec] = [:]
    for spec in onDisk where byName[spec.name] == nil { byName[spec.name] = spec }
    for spec in builtIn where byName[spec.name] == nil { byName[spec.name] = spec }
    return byName.values.sorted { $0.name < $1.name }
  }

  public func spec(named name: String) -> KernelSpec? {
    inForce.first { $0.name == name.lowercased() }
  }

  /// The kernelspecs on the standard search path, found without starting Python.
  ///
  /// Fast enough for the launcher (for example to look up the language of the spec named in
  /// the connection file's `kernel_name`); it misses only specs in the environment directory
  /// of a Jupyter Python that is not on `JUPYTER_PATH`.
  public static func standard(environment: [String: String], homeDirectory: String)
    -> KernelSpecCatalog
  {
    let paths = JupyterPaths.compute(
      environment: environment, homeDirectory: homeDirectory, sysPrefix: nil,
      inVirtualEnvironment: false)
    return load(directories: paths.kernelDirectories, jupyter: nil)
  }

  /// Reads `directories` (each a Jupyter `kernels` folder); adds what `jupyter` reports beyond them.
  public static func load(directories: [String], jupyter: JupyterInstallation?) -> KernelSpecCatalog
  {
    var catalog = KernelSpecCatalog(directories: directories, onDisk: [])
    let fileManager = FileManager.default
    for directory in directories {
      guard let entries = try? fileManager.contentsOfDirectory(atPath: directory) else { continue }
      for entry in entries.sorted() where KernelSpec.isValidName(entry) {
        let resourceDirectory = directory + "/" + entry
        let file = resourceDirectory + "/kernel.json"
        switch readSmallFile(file, limit: 1 << 20) {
        case .missing: continue
        case .failure(let problem):
          catalog.problems.append(ConfigError(file: file, problem: problem))
        case .contents(let data):
          do {
            catalog.onDisk.append(
              try KernelSpec(
                name: entry.lowercased(), resourceDirectory: resourceDirectory, kernelJSON: data,
                file: file))
          } catch {
            catalog.problems.append(error)
          }
        }
      }
    }
    let onDiskNames = Set(catalog.onDisk.map(\.name))
    catalog.builtIn = (jupyter?.kernelSpecs.values.filter { !onDiskNames.contains($0.name) } ?? [])
      .sorted { $0.name < $1.name }
    return catalog
  }
}
