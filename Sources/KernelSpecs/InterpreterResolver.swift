import BridgeSettings
import Foundation
import OutsideFiles

/// Turns a kernelspec's leading `python`/`pythonN`/`pythonN.M` into an absolute interpreter.
///
/// jupyter_client rewrites such an argv[0] to its own `sys.executable` when it launches the
/// kernel; under `jupyter-lmk run` the bare name would be looked up on PATH instead (Debian has
/// no `python` at all), so the wrapped spec must name the interpreter of the Jupyter
/// installation that owns the spec.
public enum InterpreterResolver {
  /// Whether `argv0` is a bare `python`, `pythonN` or `pythonN.M` that Jupyter would rewrite.
  public static func isBarePython(_ argv0: String) -> Bool {
    guard argv0.hasPrefix("python") else { return false }
    let version = argv0.dropFirst("python".count)
    if version.isEmpty { return true }
    let parts = version.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count <= 2
      && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
  }

  /// `P` for a spec in `P/share/jupyter/kernels/<name>`: the installation that owns it.
  public static func owningPrefix(ofResourceDirectory directory: String) -> String? {
    let parts = PathText.normalised(directory).split(separator: "/").map(String.init)
    guard parts.count >= 4,
      Array(parts[parts.count - 4..<parts.count - 1]) == ["share", "jupyter", "kernels"]
    else { return nil }
    return "/" + parts.dropLast(4).joined(separator: "/")
  }

  /// The absolute interpreter for `argv0`, or nil when `argv0` needs no rewriting.
  ///
  /// Order: `P/bin/python3` (then `P/bin/<argv0>`, `P/bin/python`) for a spec under
  /// `P/share/jupyter/kernels`; else the Python that runs `jupyter` (`jupyterPython`).
  public static func resolve(
    argv0: String, kernelName: String, resourceDirectory: String, jupyterPython: String?,
    isExecutable: (String) -> Bool
  ) throws(KernelSpecError) -> String? {
    guard isBarePython(argv0) else { return nil }
    if let prefix = owningPrefix(ofResourceDirectory: resourceDirectory) {
      let bin = prefix == "/" ? "/bin" : prefix + "/bin"
      var seen = Set<String>()
      for name in ["python3", argv0, "python"] where seen.insert(name).inserted {
        if isExecutable(bin + "/" + name) { return bin + "/" + name }
      }
    }
    if let jupyterPython { return jupyterPython }
    throw .interpreterNotFound(
      kernel: kernelName, argv0: argv0,
      reason: "no Python was found next to \(resourceDirectory) and no `jupyter` on PATH")
  }
}
