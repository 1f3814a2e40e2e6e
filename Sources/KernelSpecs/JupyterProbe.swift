import BridgeSettings
import Foundation
import OutsideFiles

/// What Jupyter's own Python says about its installation.
///
/// Kernelspecs are found the way Jupyter finds them, but two things only Jupyter's Python
/// knows: its `sys.prefix` (the env data dir and `--sys-prefix`) and ipykernel's built-in
/// `python3` spec, which jupyter_client adds when no `python3` directory exists on disk.
public struct JupyterInstallation: Sendable, Equatable {
  /// `sys.executable`: the Python that runs `jupyter`.
  public var python: String
  /// `sys.prefix`.
  public var sysPrefix: String
  /// Whether `sys.prefix` is a virtual environment.
  public var inVirtualEnvironment: Bool
  /// `KernelSpecManager().kernel_dirs`, nil when jupyter_client is not importable.
  public var kernelDirectories: [String]?
  /// `jupyter_data_dir()`, nil when jupyter_core is not importable.
  public var userDataDirectory: String?
  /// Specs jupyter_client reports (name → spec), including ones not on disk.
  public var kernelSpecs: [String: KernelSpec]

  public init(
    python: String, sysPrefix: String, inVirtualEnvironment: Bool, kernelDirectories: [String]?,
    userDataDirectory: String?, kernelSpecs: [String: KernelSpec]
  ) {
    self.python = python
    self.sysPrefix = sysPrefix
    self.inVirtualEnvironment = inVirtualEnvironment
    self.kernelDirectories = kernelDirectories
    self.userDataDirectory = userDataDirectory
    self.kernelSpecs = kernelSpecs
  }

  /// The Python program the probe runs; prints one JSON line.
  static let probeScript = """
    import json, sys
    out = {"executable": sys.executable, "prefix": sys.prefix, "venv": sys.prefix != sys.base_prefix}
    try:
        from jupyter_core.paths import jupyter_data_dir
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError as e:
        out["error"] = str(e)
    else:
        m = KernelSpecManager()
        out["dataDir"] = jupyter_data_dir()
        out["kernelDirs"] = list(m.kernel_dirs)
        out["kernelspecs"] = m.get_all_specs()
    print(json.dumps(out))
    """

  /// Parses the probe's output (its last non-empty line).
  static func parseProbeOutput(_ output: String) throws(KernelSpecError) -> JupyterInstallation {
    guard let line = output.split(separator: "\n").last(where: { !$0.allSatisfy(\.isWhitespace) }),
      case .success(.object(let object)) = ConfigJSONValue.parse(Data(line.utf8)),
      let python = object["executable"]?.stringValue, !python.isEmpty,
      let prefix = object["prefix"]?.stringValue
    else { throw .noJupyterPython(reason: "its answer was not understood") }

    var specs: [String: KernelSpec] = [:]
    for (name, entry) in object["kernelspecs"]?.objectValue ?? [:] {
      guard let entry = entry.objectValue, let directory = entry["resource_dir"]?.stringValue,
        let spec = entry["spec"]?.objectValue
      else { continue }
      specs[name] = KernelSpec(name: name, resourceDirectory: directory, json: spec)
    }
    let directories: [String]?
    if case .array(let items)? = object["kernelDirs"] {
      directories = items.compactMap(\.stringValue)
    } else {
      directories = nil
    }
    return JupyterInstallation(
      python: python, sysPrefix: prefix, inVirtualEnvironment: object["venv"] == .bool(true),
      kernelDirectories: directories, userDataDirectory: object["dataDir"]?.stringValue,
      kernelSpecs: specs)
  }

  /// The command that runs the interpreter named in a script's first lines: `#!/path/python3`,
  /// `#!/usr/bin/env python3`, or pip's `#!/bin/sh` + `'''exec' "/path/python" "$0" "$@"` trampoline
  /// for long paths. Nil when the script is not a Python script.
  static func interpreterCommand(fromScriptHead head: String) -> [String]? {
    let lines = head.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = lines.first, first.hasPrefix("#!") else { return nil }
    let words = first.dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(
      String.init)
    guard let program = words.first else { return nil }
    let base = (program as NSString).lastPathComponent
    if base.hasPrefix("python") { return words }
    if base == "env", words.count >= 2,
      words.dropFirst().contains(where: { $0.hasPrefix("python") })
    {
      return words
    }
    if base == "sh" || base == "bash", lines.count >= 2 {
      let trampoline = lines[1]
      let opening = "'''exec' \""
      guard trampoline.hasPrefix(opening) else { return nil }
      let rest = trampoline.dropFirst(opening.count)
      guard let end = rest.firstIndex(of: "\""), end > rest.startIndex else { return nil }
      return [String(rest[..<end])]
    }
    return nil
  }
}

extension JupyterInstallation {
  /// Asks Jupyter's Python: `python` when given (`--python`), else the interpreter of the
  /// `jupyter` script in `bridgeDirectory` (jupyter-lmk installed next to Jupyter, where
  /// `jupyter lmk` finds it first) or on PATH.
  public static func probe(python: String?, environment: [String: String], bridgeDirectory: String?)
    throws(KernelSpecError) -> JupyterInstallation
  {
    let command: [String]
    if let python {
      command = [python]
    } else {
      let searchPath = ([bridgeDirectory].compactMap { $0 } + [environment["PATH"] ?? ""]).joined(
        separator: ":")
      guard let jupyter = ExecutableSearch.find("jupyter", path: searchPath) else {
        throw .noJupyterPython(reason: "no `jupyter` on PATH")
      }
      guard let head = readHead(of: jupyter), let found = interpreterCommand(fromScriptHead: head)
      else {
        throw .noJupyterPython(reason: "\(jupyter) is not a Python script")
      }
      command = found
    }
    let output = try run(command + ["-c", probeScript], environment: environment)
    return try parseProbeOutput(output)
  }

  private static func readHead(of path: String) -> String? {
    guard case .success(let handle) = OutsideFile.open(path) else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: 4096) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  /// Runs `command` and returns its standard output; stderr goes to ours.
  private static func run(_ command: [String], environment: [String: String])
    throws(KernelSpecError) -> String
  {
    guard let program = command.first else { throw .noJupyterPython(reason: "empty command") }
    let resolved =
      program.contains("/") ? program : ExecutableSearch.find(program, path: environment["PATH"])
    guard let resolved else { throw .noJupyterPython(reason: "\(program) is not on PATH") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: resolved)
    process.arguments = Array(command.dropFirst())
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw .noJupyterPython(
        reason: "\(resolved) cannot be started (\(fileErrorDescription(error)))")
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationReason == .exit, process.terminationStatus == 0 else {
      throw .noJupyterPython(reason: "\(resolved) failed (status \(process.terminationStatus))")
    }
    return String(decoding: data, as: UTF8.self)
  }
}

/// Looks programs up on PATH as a shell does.
public enum ExecutableSearch {
  /// The first executable file `name` in the `:`-separated `path` (a default path when nil).
  public static func find(
    _ name: String, path: String?, isExecutable: (String) -> Bool = isExecutableFile
  ) -> String? {
    for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
    where !directory.isEmpty {
      let candidate = String(directory) + "/" + name
      if isExecutable(candidate) { return candidate }
    }
    return nil
  }

  /// Whether `path` is a regular file this process may execute.
  public static func isExecutableFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      && !isDirectory.boolValue
      && FileManager.default.isExecutableFile(atPath: path)
  }
}
