import ArgumentParser
import Foundation
import KernelSpecs

/// Where wrapped kernelspecs go (install) or are looked for (uninstall).
struct KernelSpecLocationOptions: ParsableArguments {
  @Flag(help: "The user's Jupyter data directory (~/.local/share/jupyter/kernels).")
  var user = false

  @Flag(
    help:
      "The kernels directory of the environment of Jupyter's Python ({sys.prefix}/share/jupyter/kernels)."
  )
  var sysPrefix = false

  @Option(
    help: ArgumentHelp(
      "The kernels directory under this prefix (PREFIX/share/jupyter/kernels).", valueName: "PREFIX"
    ))
  var prefix: String?

  @Option(
    help: ArgumentHelp(
      "The Python that runs Jupyter (default: the interpreter of the `jupyter` script on PATH).",
      valueName: "PATH"))
  var python: String?

  func validate() throws {
    if [user, sysPrefix, prefix != nil].filter({ $0 }).count > 1 {
      throw ValidationError("--user, --sys-prefix and --prefix exclude each other")
    }
  }

  /// The scope the flags name; nil when none was given.
  var explicitScope: InstallScope? {
    if sysPrefix { return .sysPrefix }
    if let prefix { return .prefix(prefix) }
    return user ? .user : nil
  }

  /// Discovers Jupyter's kernelspecs, telling the user when Jupyter's Python could not be asked.
  func discover(extraDirectory: String? = nil) throws -> KernelSpecInstaller {
    let environment = ProcessInfo.processInfo.environment
    let bridge = KernelSpecInstaller.bridgeExecutable(
      argv0: CommandLine.arguments.first ?? "jupyter-lmk",
      currentDirectory: FileManager.default.currentDirectoryPath, path: environment["PATH"])
    let (installer, problem) = try KernelSpecInstaller.discover(
      python: python, environment: environment,
      homeDirectory: environment["HOME"] ?? NSHomeDirectory(), bridgeExecutable: bridge,
      extraDirectory: extraDirectory)
    if let problem {
      StandardError.line(
        "note: \(problem); searching the standard Jupyter directories only (--python PATH names the Python of the Jupyter to use)"
      )
    }
    for problem in installer.catalog.problems {
      StandardError.line("note: skipping \(problem)")
    }
    return installer
  }
}

/// `jupyter-lmk install`: wraps an installed kernelspec so Jupyter starts the kernel under `jupyter-lmk run`.
struct InstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install",
    abstract: "Install a kernelspec that runs an existing kernel under jupyter-lmk.",
    discussion: """
      The new kernelspec keeps the original's language, logos, env, metadata and interrupt_mode; its argv is `jupyter-lmk run --connection-file {connection_file} -- <original argv>`, with a bare `python`/`pythonN` resolved to the interpreter of the Jupyter installation that owns the original. Pick the "(LMK)" kernel in Jupyter to be notified. Installing again replaces an earlier wrapped spec of the same name. Without --sys-prefix or --prefix the spec goes to the user's Jupyter data directory (--user).
      """)

  @Option(help: "The kernelspec to wrap (see `jupyter kernelspec list`).")
  var kernel = "python3"

  @Option(help: "Name of the new kernelspec (default: <kernel>-lmk).")
  var name: String?

  @Option(help: "Display name of the new kernelspec (default: \"<original display name> (LMK)\").")
  var displayName: String?

  @Flag(help: "Wrap every installed kernelspec that is not wrapped already.")
  var all = false

  @Flag(
    help:
      "Keep the original argv and start the kernel through the `lmk` kernel provisioner of the jupyter-lmk Python package (metadata.kernel_provisioner)."
  )
  var provisioner = false

  @OptionGroup var location: KernelSpecLocationOptions

  func validate() throws {
    if all, name != nil || displayName != nil {
      throw ValidationError(
        "--all names each spec <kernel>-lmk; it cannot be combined with --name or --display-name")
    }
  }

  func run() throws {
    let installer = try location.discover()
    let scope = location.explicitScope ?? .user
    guard all else {
      let plan = try installer.plan(
        kernel: kernel, name: name, displayName: displayName, scope: scope,
        provisioner: provisioner)
      try install(plan, with: installer)
      return
    }
    let planned = installer.planAll(scope: scope, provisioner: provisioner)
    for name in planned.alreadyWrapped {
      StandardError.line("skipped \(name): already runs through jupyter-lmk")
    }
    var failures = planned.failed.map { "\($0.kernel): \($0.error)" }
    for plan in planned.plans {
      do {
        try install(plan, with: installer)
      } catch {
        failures.append("\(plan.source.name): \(error)")
      }
    }
    for failure in failures { StandardError.line("error: not wrapped: \(failure)") }
    if !failures.isEmpty { throw ExitCode.failure }
  }

  private func install(_ plan: KernelSpecInstaller.Plan, with installer: KernelSpecInstaller) throws
  {
    let replaced = try installer.install(plan)
    print(
      "\(replaced == nil ? "Installed" : "Replaced") kernelspec \(plan.wrapped.name) (\"\(plan.wrapped.displayName)\") in \(plan.destination)"
    )
    let through =
      plan.wrapped.provisionerName.map { " (through the kernel provisioner \($0))" } ?? ""
    let runs = plan.wrapped.wrappedArgv?.joined(separator: " ") ?? ""
    print("  wraps \(plan.source.name)\(through): \(runs)")
    if let replaced {
      let ran = replaced.wrappedArgv?.joined(separator: " ") ?? ""
      print(ran == runs ? "  (it ran the same before)" : "  before, it ran: \(ran)")
    }
    if let warning = plan.warning { StandardError.line("warning: \(warning)") }
  }
}
