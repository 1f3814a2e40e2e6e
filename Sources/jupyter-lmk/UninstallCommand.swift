import ArgumentParser
import Foundation
import KernelSpecs

/// `jupyter-lmk uninstall`: removes kernelspecs written by `install`, and nothing else.
struct UninstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall",
    abstract: "Remove kernelspecs installed by `jupyter-lmk install`.",
    discussion: """
      Only kernelspecs whose argv runs `jupyter-lmk run` are removed; a name that belongs to any other kernelspec is refused. With --user, --sys-prefix or --prefix only that directory is searched; without any of them every matching spec on Jupyter's search path is removed, shadowed copies included.
      """)

  @Option(help: "Remove the spec that wraps this kernel (named <kernel>-lmk).")
  var kernel = "python3"

  @Option(help: "Remove the spec with this name (overrides --kernel).")
  var name: String?

  @Flag(help: "Remove every kernelspec installed by jupyter-lmk.")
  var all = false

  @OptionGroup var location: KernelSpecLocationOptions

  func validate() throws {
    if all, name != nil { throw ValidationError("--all removes every spec of ours; drop --name") }
  }

  func run() throws {
    let scope = location.explicitScope
    // A --prefix off the search path is searched too.
    let installer = try location.discover(extraDirectory: scope?.prefixKernelsDirectory)
    let onlyIn = try scope.map { scope throws(KernelSpecError) in
      try installer.kernelsDirectory(for: scope)
    }
    let removals = try KernelSpecInstaller.removals(
      in: installer.catalog, name: name ?? KernelSpecInstaller.defaultName(wrapping: kernel),
      all: all,
      onlyIn: onlyIn)
    if removals.isEmpty { print("No kernelspecs installed by jupyter-lmk were found.") }
    for spec in removals {
      try KernelSpecInstaller.remove(spec)
      print("Removed kernelspec \(spec.name) from \(spec.resourceDirectory)")
    }
  }
}
