import BridgeSettings
import Foundation
import OutsideFiles

/// Where `jupyter-lmk install` writes and `uninstall` looks.
public enum InstallScope: Sendable, Equatable {
  /// The user's data directory (`~/.local/share/jupyter/kernels`): the default, always
  /// writable and always searched by every Jupyter this user runs.
  case user
  /// `{sys.prefix}/share/jupyter/kernels` of Jupyter's Python: only that environment's Jupyter sees it.
  case sysPrefix
  /// `P/share/jupyter/kernels`.
  case prefix(String)

  /// The directory of a `.prefix` scope, which needs no discovery (and may be off Jupyter's search path).
  public var prefixKernelsDirectory: String? {
    guard case .prefix(let prefix) = self else { return nil }
    return Self.kernelsDirectory(underPrefix: prefix)
  }

  static func kernelsDirectory(underPrefix prefix: String) -> String {
    JupyterPaths.trimmingTrailingSlashes(prefix) + "/share/jupyter/kernels"
  }
}

/// Installs and removes wrapped kernelspecs.
///
/// Planning is pure (which spec, which name, which directory, what `kernel.json`);
/// `install(_:)` and `remove(_:)` are the only parts that touch the disk.
public struct KernelSpecInstaller: Sendable {
  public var catalog: KernelSpecCatalog
  public var userDataDirectory: String
  /// Jupyter's Python, when it answered the probe.
  public var jupyter: JupyterInstallation?
  /// Absolute path written as argv[0] of wrapped specs.
  public var bridgeExecutable: String
  public var isExecutable: @Sendable (String) -> Bool

  public init(
    catalog: KernelSpecCatalog, userDataDirectory: String, jupyter: JupyterInstallation?,
    bridgeExecutable: String,
    isExecutable: @escaping @Sendable (String) -> Bool = { ExecutableSearch.isExecutableFile($0) }
  ) {
    self.catalog = catalog
    self.userDataDirectory = userDataDirectory
    self.jupyter = jupyter
    self.bridgeExecutable = bridgeExecutable
    self.isExecutable = isExecutable
  }

  /// One spec to write.
  public struct Plan: Sendable, Equatable {
    /// The spec being wrapped.
    public var source: KernelSpec
    /// The wrapped spec (its `name` is the new directory's name).
    public var wrapped: KernelSpec
    /// The `kernels` directory it goes into.
    public var kernelsDirectory: String
    /// Set when Jupyter will not find the spec there (a `--prefix` off the search path).
    public var warning: String?

    public var destination: String { kernelsDirectory + "/" + wrapped.name }
  }

  /// The `kernels` directory for `scope`.
  public func kernelsDirectory(for scope: InstallScope) throws(KernelSpecError) -> String {
    switch scope {
    case .user: return userDataDirectory + "/kernels"
    case .prefix(let prefix):
      return InstallScope.kernelsDirectory(underPrefix: prefix)
    case .sysPrefix:
      guard let jupyter else { throw .needsJupyterPython(option: "--sys-prefix") }
      return jupyter.sysPrefix + "/share/jupyter/kernels"
    }
  }

  /// Plans wrapping `kernel` as `name` (default `<kernel>-lmk`) with `displayName` (default
  /// `<original> (LMK)`); with `provisioner`, through the `lmk` kernel provisioner instead of argv.
  public func plan(
    kernel: String, name: String?, displayName: String?, scope: InstallScope,
    provisioner: Bool = false
  )
    throws(KernelSpecError)
    -> Plan
  {
    guard let source = catalog.spec(named: kernel) else {
      throw .noSuchKernel(name: kernel, searched: catalog.directories)
    }
    let newName = (name ?? Self.defaultName(wrapping: source.name)).lowercased()
    guard KernelSpec.isValidName(newName) else { throw .invalidName(newName) }
    guard let argv = source.argv else {
      throw .invalidSpec(name: source.name, problem: "its argv is not a list of strings")
    }
    let wrapped: KernelSpec
    if provisioner {
      wrapped = try source.provisioned(name: newName, displayName: displayName)
    } else {
      let interpreter = try InterpreterResolver.resolve(
        argv0: argv[0], kernelName: source.name, resourceDirectory: source.resourceDirectory,
        jupyterPython: jupyter?.python, isExecutable: isExecutable)
      wrapped = try source.wrapped(
        name: newName, displayName: displayName, bridgeExecutable: bridgeExecutable,
        interpreter: interpreter)
    }
    let directory = try kernelsDirectory(for: scope)
    var plan = Plan(source: source, wrapped: wrapped, kernelsDirectory: directory)
    if !catalog.directories.contains(directory) {
      let dataDirectory = (directory as NSString).deletingLastPathComponent
      plan.warning =
        "\(directory) is not on Jupyter's kernel search path; add \(dataDirectory) to JUPYTER_PATH so Jupyter finds \(newName)"
    }
    return plan
  }

  /// Plans wrapping every kernel in force that does not itself run through jupyter-lmk (wrapped
  /// specs are skipped; an existing `<kernel>-lmk` of ours is replaced when the plan is installed).
  public func planAll(scope: InstallScope, provisioner: Bool = false) -> (
    plans: [Plan], alreadyWrapped: [String], failed: [(kernel: String, error: KernelSpecError)]
  ) {
    var plans: [Plan] = []
    var alreadyWrapped: [String] = []
    var failed: [(kernel: String, error: KernelSpecError)] = []
    for spec in catalog.inForce {
      if spec.isWrapped {
        alreadyWrapped.append(spec.name)
        continue
      }
      do {
        plans.append(
          try plan(
            kernel: spec.name, name: nil, displayName: nil, scope: scope, provisioner: provisioner))
      } catch {
        failed.append((spec.name, error))
      }
    }
    return (plans, alreadyWrapped, failed)
  }

  /// The name a wrapped spec gets unless `--name` says otherwise: `<kernel>-lmk`.
  public static func defaultName(wrapping kernel: String) -> String { "\(kernel.lowercased())-lmk" }

  /// Specs of ours to remove: those named `name` (every one of ours with `all`), in `directory`
  /// or anywhere on the search path (shadowed copies included).
  ///
  /// A spec named `name` that is not ours is an error, so a mistyped name never deletes a user's kernel.
  public static func removals(
    in catalog: KernelSpecCatalog, name: String, all: Bool, onlyIn directory: String?
  ) throws(KernelSpecError) -> [KernelSpec] {
    let candidates = catalog.onDisk.filter { spec in
      directory.map { (spec.resourceDirectory as NSString).deletingLastPathComponent == $0 } ?? true
    }
    if all { return candidates.filter(\.isWrapped) }
    let wanted = name.lowercased()
    let named = candidates.filter { $0.name == wanted }
    if let foreign = named.first(where: { !$0.isWrapped }) {
      throw .notOurs(name: foreign.name, path: foreign.resourceDirectory)
    }
    guard !named.isEmpty else {
      throw .noSuchKernel(name: wanted, searched: directory.map { [$0] } ?? catalog.directories)
    }
    return named
  }
}

// MARK: - Disk

extension KernelSpecInstaller {
  /// Writes the planned spec: resources copied from the original, then `kernel.json`, moved into
  /// place in one rename. An existing spec of ours with that name is replaced (and returned, so
  /// the user is told what it ran); anything else is refused.
  @discardableResult
  public func install(_ plan: Plan) throws(KernelSpecError) -> KernelSpec? {
    let fileManager = FileManager.default
    let destination = plan.destination
    func failure(_ path: String, _ error: any Error) -> KernelSpecError {
      .fileSystem(path: path, problem: fileErrorDescription(error))
    }

    var replaced: KernelSpec?
    if fileManager.fileExists(atPath: destination) {
      let existing = destination + "/kernel.json"
      guard case .contents(let data) = readSmallFile(existing, limit: 1 << 20),
        let spec = try? KernelSpec(
          name: plan.wrapped.name, resourceDirectory: destination, kernelJSON: data, file: existing),
        spec.isWrapped
      else { throw .destinationTaken(path: destination) }
      replaced = spec
    }

    let pid = ProcessInfo.processInfo.processIdentifier
    let staging = plan.kernelsDirectory + "/.\(plan.wrapped.name).jupyter-lmk-new-\(pid)"
    let retired = plan.kernelsDirectory + "/.\(plan.wrapped.name).jupyter-lmk-old-\(pid)"
    do {
      try fileManager.createDirectory(
        atPath: plan.kernelsDirectory, withIntermediateDirectories: true)
    } catch {
      throw failure(plan.kernelsDirectory, error)
    }
    try? fileManager.removeItem(atPath: staging)
    do {
      try fileManager.createDirectory(atPath: staging, withIntermediateDirectories: false)
      let resources =
        (try? fileManager.contentsOfDirectory(atPath: plan.source.resourceDirectory)) ?? []
      for item in resources.sorted() where item != "kernel.json" && item != "__pycache__" {
        try fileManager.copyItem(
          atPath: plan.source.resourceDirectory + "/" + item, toPath: staging + "/" + item)
      }
      let json = try plan.wrapped.kernelJSON()
      guard
        fileManager.createFile(
          atPath: staging + "/kernel.json", contents: json, attributes: [.posixPermissions: 0o644])
      else { throw CocoaError(.fileWriteUnknown) }
    } catch {
      try? fileManager.removeItem(atPath: staging)
      throw failure(staging, error)
    }
    do {
      if fileManager.fileExists(atPath: destination) {
        try? fileManager.removeItem(atPath: retired)
        try fileManager.moveItem(atPath: destination, toPath: retired)
      }
      try fileManager.moveItem(atPath: staging, toPath: destination)
      try? fileManager.removeItem(atPath: retired)
    } catch {
      try? fileManager.removeItem(atPath: staging)
      if !fileManager.fileExists(atPath: destination), fileManager.fileExists(atPath: retired) {
        try? fileManager.moveItem(atPath: retired, toPath: destination)
      }
      throw failure(destination, error)
    }
    return replaced
  }

  /// Deletes a wrapped spec's directory (refuses anything that is not ours).
  public static func remove(_ spec: KernelSpec) throws(KernelSpecError) {
    guard spec.isWrapped else {
      throw .notOurs(name: spec.name, path: spec.resourceDirectory)
    }
    do {
      try FileManager.default.removeItem(atPath: spec.resourceDirectory)
    } catch {
      throw .fileSystem(
        path: spec.resourceDirectory, problem: fileErrorDescription(error))
    }
  }

  /// Finds Jupyter's Python, its kernelspecs and directories.
  ///
  /// - Parameters:
  ///   - python: `--python`; when given it must answer, otherwise the `jupyter` on PATH is asked and
  ///     a failure only means falling back to the standard directories (`probeProblem` says why).
  ///   - extraDirectory: a `kernels` directory to search as well (`--prefix` off the search path).
  public static func discover(
    python: String?, environment: [String: String], homeDirectory: String, bridgeExecutable: String,
    extraDirectory: String? = nil
  ) throws(KernelSpecError) -> (installer: KernelSpecInstaller, probeProblem: KernelSpecError?) {
    var jupyter: JupyterInstallation?
    var probeProblem: KernelSpecError?
    do {
      jupyter = try JupyterInstallation.probe(
        python: python, environment: environment,
        bridgeDirectory: (bridgeExecutable as NSString).deletingLastPathComponent)
    } catch {
      if python != nil { throw error }
      probeProblem = error
    }
    let computed = JupyterPaths.compute(
      environment: environment, homeDirectory: homeDirectory, sysPrefix: jupyter?.sysPrefix,
      inVirtualEnvironment: jupyter?.inVirtualEnvironment ?? false)
    var directories = jupyter?.kernelDirectories ?? computed.kernelDirectories
    if let extraDirectory, !directories.contains(extraDirectory) {
      directories.append(extraDirectory)
    }
    let installer = KernelSpecInstaller(
      catalog: KernelSpecCatalog.load(directories: directories, jupyter: jupyter),
      userDataDirectory: jupyter?.userDataDirectory ?? computed.userDataDirectory, jupyter: jupyter,
      bridgeExecutable: bridgeExecutable)
    return (installer, probeProblem)
  }

  /// The absolute path of the running `jupyter-lmk`, as written into wrapped specs.
  ///
  /// argv[0] made absolute (a symlink on PATH stays a symlink, so rebuilding the target
  /// keeps installed specs working); a bare name (as `jupyter lmk` runs it) is looked up on
  /// PATH; `/proc/self/exe` as the last resort.
  public static func bridgeExecutable(argv0: String, currentDirectory: String, path: String?)
    -> String
  {
    if argv0.hasPrefix("/") { return PathText.normalised(argv0) }
    if argv0.contains("/") { return PathText.absolute(argv0, relativeTo: currentDirectory) }
    if let found = ExecutableSearch.find(argv0, path: path) {
      return PathText.absolute(found, relativeTo: currentDirectory)
    }
    return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argv0
  }
}
