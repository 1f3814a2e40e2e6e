import OutsideFiles

/// What a process's command line says about the notebook it runs, when it is a batch runner
/// (docs/BEHAVIOUR.md, "Settings", finding the notebook): papermill, `jupyter nbconvert`,
/// `jupyter execute`, each as its own script, through the `jupyter` dispatcher, or as
/// `python -m …`. Pure and total: any argv, however long or odd, gives an answer and never traps.
public enum BatchRunnerCommandLine: Sendable, Equatable {
  /// A runner; `notebooks` are the notebooks it names, absolute, in command-line order.
  case runner(name: String, notebooks: [String])
  /// A process that only starts another one (a shell, `env`, `timeout`…): look at its parent.
  case passThrough
  /// Anything else: no notebook can be read from it.
  case other

  /// Reads `argv` (already decoded; invalid UTF-8 became replacement characters) with relative
  /// paths resolved against `workingDirectory`, the process's own cwd.
  public static func read(_ argv: [String], workingDirectory: String) -> BatchRunnerCommandLine {
    guard let first = argv.first else { return .other }
    let program = baseName(first)
    if passThroughPrograms.contains(program) { return .passThrough }
    var command = program
    var rest = ArraySlice(argv.dropFirst())
    if isPython(program) {
      guard let (name, arguments) = pythonTarget(rest) else { return .other }
      command = name
      rest = arguments
    }
    if command == "jupyter", let sub = rest.first {
      command = "jupyter-" + sub
      rest = rest.dropFirst()
    }
    let notebooks: [String]
    let name: String
    switch command {
    case "papermill":
      name = "papermill"
      notebooks = papermillInput(rest).map { [$0] } ?? []
    case "jupyter-nbconvert", "nbconvert":
      name = "jupyter nbconvert"
      notebooks = traitletsNotebooks(rest, valued: nbconvertValued)
    case "jupyter-execute", "nbclient.cli":
      name = "jupyter execute"
      notebooks = traitletsNotebooks(rest, valued: executeValued)
    default:
      return .other
    }
    return .runner(
      name: name,
      notebooks: notebooks.map { PathText.absolute($0, relativeTo: workingDirectory) })
  }

  /// Processes that start their arguments as another process (the kernel manager is never one).
  static let passThroughPrograms: Set<String> = [
    "sh", "bash", "dash", "zsh", "ksh", "env", "nice", "nohup", "timeout", "stdbuf", "setsid",
    "time", "ionice", "chrt", "taskset",
  ]

  static func baseName(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
  }

  /// `python`, `python3`, `python3.11`, `python3.11d`…
  static func isPython(_ program: String) -> Bool {
    guard program.hasPrefix("python") else { return false }
    var version = program.dropFirst("python".count)
    if version.last == "d" || version.last == "m" { version = version.dropLast() }
    return version.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
  }

  /// The module (`-m name`) or script (its file name) a Python command line runs, and its
  /// arguments. Interpreter options with a value (`-W`, `-X`, `-Q`) skip it; `-c` runs no runner.
  static func pythonTarget(_ arguments: ArraySlice<String>) -> (String, ArraySlice<String>)? {
    var rest = arguments
    while let token = rest.first {
      rest = rest.dropFirst()
      if token == "-m" {
        guard let module = rest.first else { return nil }
        return (module, rest.dropFirst())
      }
      if token.hasPrefix("-m"), token.count > 2 { return (String(token.dropFirst(2)), rest) }
      if token == "-c" || token.hasPrefix("-c") || token == "-" { return nil }
      if token == "-W" || token == "-X" || token == "--check-hash-based-pycs" {
        rest = rest.dropFirst()
        continue
      }
      if token.hasPrefix("-") { continue }
      return (baseName(token), rest)
    }
    return nil
  }

  /// papermill's options that take values (click: `-p NAME VALUE` takes two), so their values
  /// are never taken for the input notebook.
  static let papermillValued: [String: Int] = [
    "-p": 2, "--parameters": 2, "-r": 2, "--parameters_raw": 2, "-f": 1, "--parameters_file": 1,
    "-y": 1, "--parameters_yaml": 1, "-b": 1, "--parameters_base64": 1, "-k": 1, "--kernel": 1,
    "-l": 1, "--language": 1, "--cwd": 1, "--engine": 1, "--log-level": 1,
    "--start-timeout": 1, "--start_timeout": 1, "--execution-timeout": 1,
    "--stdout-file": 1, "--stderr-file": 1, "--autosave-cell-every": 1,
  ]

  /// papermill's input: its first positional argument (the second is the output, which it
  /// writes, while it runs the input's cells and metadata). `-` (stdin) and URLs name no file.
  static func papermillInput(_ arguments: ArraySlice<String>) -> String? {
    var rest = arguments
    while let token = rest.first {
      rest = rest.dropFirst()
      if token == "--" { return rest.first.flatMap(localPath) }
      if token == "-" { return nil }  // the input is read from stdin
      if token.hasPrefix("--"), token.contains("=") { continue }
      if let count = papermillValued[token] {
        rest = rest.dropFirst(count)
        continue
      }
      if token.hasPrefix("-") { continue }  // a flag, or a short option with its value attached
      return localPath(token)
    }
    return nil
  }

  /// nbconvert's aliases that take a value as the next argument.
  static let nbconvertValued: Set<String> = [
    "--to", "--output", "--output-dir", "--template", "--template-file", "--writer", "--post",
    "--reveal-prefix", "--nbformat", "--config", "--log-level", "--theme", "--sanitize_html",
  ]

  /// `jupyter execute`'s aliases that take a value as the next argument.
  static let executeValued: Set<String> = [
    "--kernel_name", "--timeout", "--startup_timeout", "--output", "--log-level", "--config",
  ]

  /// The `.ipynb` arguments of a traitlets application (nbconvert, `jupyter execute`), skipping
  /// option values: an alias in `valued` or a `--Class.trait` takes the next argument unless
  /// written `--name=value`.
  static func traitletsNotebooks(_ arguments: ArraySlice<String>, valued: Set<String>)
    -> [String]
  {
    var notebooks: [String] = []
    var rest = arguments
    while let token = rest.first {
      rest = rest.dropFirst()
      if token.hasPrefix("-") {
        if token.contains("=") { continue }
        if valued.contains(token) || (token.hasPrefix("--") && token.contains(".")) {
          rest = rest.dropFirst()
        }
        continue
      }
      if token.hasSuffix(".ipynb"), let path = localPath(token) { notebooks.append(path) }
    }
    return notebooks
  }

  /// A path on this machine: not `-`, not a URL (`s3://…`), not empty.
  static func localPath(_ token: String) -> String? {
    token.isEmpty || token == "-" || token.contains("://") ? nil : token
  }
}
