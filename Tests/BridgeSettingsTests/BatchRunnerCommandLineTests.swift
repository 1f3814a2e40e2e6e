import Testing

@testable import BridgeSettings

@Suite struct BatchRunnerCommandLineTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var argv: [String]
    var expected: BatchRunnerCommandLine
    var testDescription: String { argv.joined(separator: " ").prefix(80).description }
  }

  static let cwd = "/home/u/jobs"
  static let venv = "/home/u/.venv/bin/"

  static func runner(_ name: String, _ notebooks: String...) -> BatchRunnerCommandLine {
    .runner(name: name, notebooks: notebooks)
  }

  static let cases: [Case] = [
    // papermill: the first positional is the input, the second the output.
    Case(
      argv: [
        venv + "python", venv + "papermill", "pm_fail.ipynb", "out.ipynb", "-k", "python3-lmk",
      ],
      expected: runner("papermill", "/home/u/jobs/pm_fail.ipynb")),
    Case(
      argv: ["papermill", "-k", "python3-lmk", "in.ipynb", "out.ipynb"],
      expected: runner("papermill", "/home/u/jobs/in.ipynb")),
    Case(
      argv: [
        "papermill", "-p", "source", "data.ipynb", "-p", "n", "3", "../nb/in.ipynb", "o.ipynb",
      ],
      expected: runner("papermill", "/home/u/nb/in.ipynb")),
    Case(
      argv: ["papermill", "--parameters_file", "p.ipynb", "--cwd", "/tmp", "/abs/in.ipynb"],
      expected: runner("papermill", "/abs/in.ipynb")),
    Case(
      argv: ["papermill", "--kernel=python3-lmk", "-kpython3", "--log-output", "in", "out"],
      expected: runner("papermill", "/home/u/jobs/in")),
    Case(argv: ["papermill", "-", "out.ipynb"], expected: runner("papermill")),
    Case(argv: ["papermill", "s3://bucket/in.ipynb", "out.ipynb"], expected: runner("papermill")),
    Case(
      argv: ["papermill", "--", "-odd.ipynb"],
      expected: runner("papermill", "/home/u/jobs/-odd.ipynb")),
    Case(argv: ["papermill", "-p", "only-one-value"], expected: runner("papermill")),
    Case(
      argv: ["/usr/bin/python3.11", "-u", "-m", "papermill", "a.ipynb", "b.ipynb"],
      expected: runner("papermill", "/home/u/jobs/a.ipynb")),
    Case(
      argv: ["python3", "-X", "dev", "-mpapermill", "a.ipynb"],
      expected: runner("papermill", "/home/u/jobs/a.ipynb")),
    // nbconvert, as its script, through the dispatcher, as a module.
    Case(
      argv: [
        venv + "python", venv + "jupyter-nbconvert", "--to", "notebook", "--execute", "nb.ipynb",
      ],
      expected: runner("jupyter nbconvert", "/home/u/jobs/nb.ipynb")),
    Case(
      argv: ["jupyter", "nbconvert", "--execute", "--output", "x.ipynb", "sub/nb.ipynb"],
      expected: runner("jupyter nbconvert", "/home/u/jobs/sub/nb.ipynb")),
    Case(
      argv: ["jupyter-nbconvert", "--ExecutePreprocessor.timeout", "60", "--to=html", "a.ipynb"],
      expected: runner("jupyter nbconvert", "/home/u/jobs/a.ipynb")),
    Case(
      argv: ["python", "-m", "nbconvert", "--execute", "a.ipynb", "b.ipynb"],
      expected: runner("jupyter nbconvert", "/home/u/jobs/a.ipynb", "/home/u/jobs/b.ipynb")),
    Case(
      argv: ["python3", "-m", "jupyter", "nbconvert", "--execute", "a.ipynb"],
      expected: runner("jupyter nbconvert", "/home/u/jobs/a.ipynb")),
    Case(
      argv: ["jupyter-nbconvert", "--stdin", "--execute"], expected: runner("jupyter nbconvert")),
    // jupyter execute.
    Case(
      argv: [
        venv + "python", venv + "jupyter-execute", "--kernel_name", "python3-lmk", "nb.ipynb",
      ],
      expected: runner("jupyter execute", "/home/u/jobs/nb.ipynb")),
    Case(
      argv: ["jupyter", "execute", "--kernel_name=python3-lmk", "./nb.ipynb"],
      expected: runner("jupyter execute", "/home/u/jobs/nb.ipynb")),
    // Wrappers are passed through; everything else is no runner.
    Case(argv: ["/bin/sh", "-c", "papermill a.ipynb b.ipynb"], expected: .passThrough),
    Case(argv: ["/usr/bin/env", "PATH=/x", "jupyter-lmk"], expected: .passThrough),
    Case(argv: ["python3", "script.py", "a.ipynb"], expected: .other),
    Case(argv: ["python3", "-c", "import papermill"], expected: .other),
    Case(argv: ["python3"], expected: .other),
    Case(argv: ["python3", "-m"], expected: .other),
    Case(argv: ["pythonista", "papermill", "a.ipynb"], expected: .other),
    Case(argv: [venv + "python", venv + "jupyter-lab"], expected: .other),
    Case(argv: ["jupyter"], expected: .other),
    Case(argv: ["jupyter", "server"], expected: .other),
    Case(argv: [], expected: .other),
    Case(argv: [""], expected: .other),
    Case(argv: ["", "", ""], expected: .other),
    Case(argv: ["/"], expected: .other),
    Case(argv: ["papermill", ""], expected: runner("papermill")),
    Case(
      argv: ["jupyter", "execute", "\u{FFFD}\u{FFFD}.ipynb"],
      expected: runner("jupyter execute", "/home/u/jobs/\u{FFFD}\u{FFFD}.ipynb")),
  ]

  @Test(arguments: cases)
  func reads(_ example: Case) {
    #expect(
      BatchRunnerCommandLine.read(example.argv, workingDirectory: Self.cwd) == example.expected)
  }

  /// Command lines no one writes: huge, many empty arguments, every option without its value.
  @Test func hostileCommandLinesGiveAnAnswer() {
    let huge = String(repeating: "a", count: 1 << 20) + ".ipynb"
    #expect(
      BatchRunnerCommandLine.read(["papermill", huge], workingDirectory: "/")
        == .runner(name: "papermill", notebooks: ["/" + huge]))
    let empties = ["jupyter", "execute"] + Array(repeating: "", count: 100_000)
    #expect(
      BatchRunnerCommandLine.read(empties, workingDirectory: "/")
        == .runner(name: "jupyter execute", notebooks: []))
    for option in BatchRunnerCommandLine.papermillValued.keys {
      #expect(
        BatchRunnerCommandLine.read(["papermill", option], workingDirectory: "/")
          == .runner(name: "papermill", notebooks: []))
    }
    for option in BatchRunnerCommandLine.nbconvertValued {
      #expect(
        BatchRunnerCommandLine.read(["jupyter-nbconvert", option], workingDirectory: "")
          == .runner(name: "jupyter nbconvert", notebooks: []))
    }
    let dashes = ["python"] + Array(repeating: "-W", count: 10_001)
    #expect(BatchRunnerCommandLine.read(dashes, workingDirectory: "/") == .other)
  }
}
