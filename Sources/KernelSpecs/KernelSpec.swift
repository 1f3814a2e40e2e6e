import BridgeSettings
import Foundation

/// One kernelspec as Jupyter finds it: a name, a resource directory (logos and other
/// files) and the `kernel.json` contents, kept whole so wrapping loses no field.
public struct KernelSpec: Sendable, Equatable {
  /// The kernel name (lower-cased directory name, as Jupyter reports it).
  public var name: String
  /// The directory holding `kernel.json` and the logos; for ipykernel's built-in
  /// `python3` this is ipykernel's `resources` folder, which has no `kernel.json`.
  public var resourceDirectory: String
  var json: [String: ConfigJSONValue]

  init(name: String, resourceDirectory: String, json: [String: ConfigJSONValue]) {
    self.name = name
    self.resourceDirectory = resourceDirectory
    self.json = json
  }

  /// Parses a `kernel.json`; `file` names it in errors.
  public init(name: String, resourceDirectory: String, kernelJSON data: Data, file: String)
    throws(ConfigError)
  {
    switch ConfigJSONValue.parse(data) {
    case .failure(let problem): throw ConfigError(file: file, problem: problem.message)
    case .success(.object(let object)):
      self.init(name: name, resourceDirectory: resourceDirectory, json: object)
    case .success(let other):
      throw ConfigError(file: file, problem: "must hold a JSON object, not \(other.typeName)")
    }
    guard argv != nil else {
      throw ConfigError(file: file, key: "argv", problem: "must be a non-empty array of strings")
    }
  }

  /// The command line, nil when `argv` is missing or not a non-empty list of strings.
  public var argv: [String]? {
    guard case .array(let items)? = json["argv"], !items.isEmpty else { return nil }
    let strings = items.compactMap(\.stringValue)
    return strings.count == items.count ? strings : nil
  }

  public var displayName: String { json["display_name"]?.stringValue ?? name }
  public var language: String? { json["language"]?.stringValue }
  /// `signal` (the default) or `message`: how the kernel wants to be interrupted.
  public var interruptMode: String? { json["interrupt_mode"]?.stringValue }

  /// Whether this spec runs a kernel through `jupyter-lmk run` — in its argv, or through the
  /// `lmk` kernel provisioner — so it is ours to remove and not to wrap again.
  public var isWrapped: Bool {
    (argv.map(Self.isBridgeArgv) ?? false) || provisionerName == Self.provisioner
  }

  /// The wrapped kernel's command line, for specs that are wrapped.
  public var wrappedArgv: [String]? {
    guard let argv else { return nil }
    if Self.isBridgeArgv(argv) { return Array(argv.dropFirst(Self.bridgeArguments.count + 1)) }
    return provisionerName == Self.provisioner ? argv : nil
  }

  /// The kernel provisioner the spec names (`metadata.kernel_provisioner.provisioner_name`).
  public var provisionerName: String? {
    json["metadata"]?.objectValue?["kernel_provisioner"]?.objectValue?["provisioner_name"]?
      .stringValue
  }

  /// The entry point name of the provisioner the Python package registers (`jupyter_lmk.provisioner`).
  public static let provisioner = "lmk"

  /// What follows the bridge executable in a wrapped spec's argv.
  static let bridgeArguments = ["run", "--connection-file", "{connection_file}", "--"]

  /// `[…/jupyter-lmk, "run", "--connection-file", "{connection_file}", "--", …]`.
  static func isBridgeArgv(_ argv: [String]) -> Bool {
    guard argv.count > bridgeArguments.count + 1, let executable = argv.first else { return false }
    return (executable as NSString).lastPathComponent.hasPrefix("jupyter-lmk")
      && Array(argv[1...bridgeArguments.count]) == bridgeArguments
  }

  /// The `kernel.json` bytes, pretty-printed with sorted keys.
  public func kernelJSON() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(ConfigJSONValue.object(json))
    data.append(UInt8(ascii: "\n"))
    return data
  }

  /// A spec that runs this one's kernel under `jupyter-lmk run`.
  ///
  /// Everything else (language, env, metadata incl. `supported_encryption`, interrupt_mode,
  /// kernel_protocol_version, unknown fields) is kept as is.
  /// - Parameters:
  ///   - bridgeExecutable: absolute path of `jupyter-lmk`.
  ///   - interpreter: replaces argv[0] (a resolved `python`), nil to keep it.
  public func wrapped(
    name newName: String, displayName newDisplayName: String?, bridgeExecutable: String,
    interpreter: String?
  ) throws(KernelSpecError) -> KernelSpec {
    guard var original = argv else {
      throw .invalidSpec(name: name, problem: "its argv is not a list of strings")
    }
    guard !isWrapped else { throw .alreadyWrapped(name: name) }
    if let interpreter { original[0] = interpreter }
    var result = self
    result.name = newName
    result.json["argv"] = .array(
      ([bridgeExecutable] + Self.bridgeArguments + original).map(ConfigJSONValue.string))
    result.json["display_name"] = .string(newDisplayName ?? "\(displayName) (LMK)")
    return result
  }

  /// A spec that runs this one's kernel through the `lmk` kernel provisioner: argv untouched
  /// (jupyter_client resolves a bare `python` itself), `metadata.kernel_provisioner` set.
  public func provisioned(name newName: String, displayName newDisplayName: String?)
    throws(KernelSpecError) -> KernelSpec
  {
    guard !isWrapped else { throw .alreadyWrapped(name: name) }
    var metadata = json["metadata"]?.objectValue ?? [:]
    if let other = provisionerName {
      throw .invalidSpec(
        name: name, problem: "it already starts through the kernel provisioner \"\(other)\"")
    }
    metadata["kernel_provisioner"] = .object([
      "provisioner_name": .string(Self.provisioner), "config": .object([:]),
    ])
    var result = self
    result.name = newName
    result.json["metadata"] = .object(metadata)
    result.json["display_name"] = .string(newDisplayName ?? "\(displayName) (LMK)")
    return result
  }

  /// Kernel names Jupyter accepts (`^[a-z0-9._-]+$`, case-insensitive; stored lower-cased).
  public static func isValidName(_ name: String) -> Bool {
    !name.isEmpty
      && name.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII
          && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_"
            || scalar == "-")
      }
  }
}

/// Why a kernelspec cannot be installed or removed; each names what is at fault.
public enum KernelSpecError: Error, Sendable, Equatable, CustomStringConvertible {
  case noSuchKernel(name: String, searched: [String])
  case invalidSpec(name: String, problem: String)
  case alreadyWrapped(name: String)
  case invalidName(String)
  case interpreterNotFound(kernel: String, argv0: String, reason: String)
  case destinationTaken(path: String)
  case notOurs(name: String, path: String)
  case needsJupyterPython(option: String)
  case noJupyterPython(reason: String)
  case fileSystem(path: String, problem: String)

  public var description: String {
    switch self {
    case .noSuchKernel(let name, let searched):
      "no kernelspec named \"\(name)\" (searched \(searched.joined(separator: ", "))); `jupyter kernelspec list` shows the installed ones, and `--python <the Python of your Jupyter>` searches that Jupyter's"
    case .invalidSpec(let name, let problem): "kernelspec \"\(name)\" cannot be wrapped: \(problem)"
    case .alreadyWrapped(let name):
      "kernelspec \"\(name)\" already runs through jupyter-lmk; wrap the original kernel instead"
    case .invalidName(let name):
      "invalid kernel name \"\(name)\": use letters, digits, '.', '_' and '-' only"
    case .interpreterNotFound(let kernel, let argv0, let reason):
      "kernelspec \"\(kernel)\" starts \"\(argv0)\", which Jupyter resolves to its own Python, but \(reason); pass --python PATH"
    case .destinationTaken(let path):
      "\(path) holds a kernelspec that does not run through jupyter-lmk; choose another --name"
    case .notOurs(let name, let path):
      "kernelspec \"\(name)\" in \(path) does not run through jupyter-lmk; not removed"
    case .needsJupyterPython(let option):
      "\(option) needs Jupyter's Python: put `jupyter` on PATH or pass --python PATH"
    case .noJupyterPython(let reason): "cannot ask Jupyter's Python: \(reason)"
    case .fileSystem(let path, let problem): "\(path): \(problem)"
    }
  }
}
