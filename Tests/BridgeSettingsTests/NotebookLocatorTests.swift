import Testing

@testable import BridgeSettings

@Suite struct NotebookLocatorTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var note: String
    var override: String? = nil
    var runner: BatchRunnerSearch.Finding? = nil
    var session: String?
    var connectionFileSession: String? = nil
    var cwd: String?
    var files: Set<String> = []
    var expected: NotebookLocation?
    var testDescription: String { note }
  }

  static let cases: [Case] = [
    Case(note: "nothing known", session: nil, cwd: "/srv/sub", expected: nil),
    Case(note: "unset session is an empty string", session: "", cwd: "/srv/sub", expected: nil),
    Case(
      note: "absolute value is used as is", session: "/srv/sub/nb.ipynb", cwd: "/elsewhere",
      expected: NotebookLocation(path: "/srv/sub/nb.ipynb", origin: .absoluteSessionName)),
    Case(
      note: "absolute value works in attach mode", session: "/srv//sub/./nb.ipynb", cwd: nil,
      expected: NotebookLocation(path: "/srv/sub/nb.ipynb", origin: .absoluteSessionName)),
    Case(
      note: "relative: strip the folder from the cwd to find the root",
      session: "sub/deeper/nb.ipynb",
      cwd: "/srv/sub/deeper", files: ["/srv/sub/deeper/nb.ipynb"],
      expected: NotebookLocation(path: "/srv/sub/deeper/nb.ipynb", origin: .relativeSessionName)),
    Case(
      note: "relative at the root", session: "nb.ipynb", cwd: "/srv", files: ["/srv/nb.ipynb"],
      expected: NotebookLocation(path: "/srv/nb.ipynb", origin: .relativeSessionName)),
    Case(
      note: "cwd is the server root (kernel not started in the notebook folder)",
      session: "sub/nb.ipynb",
      cwd: "/srv", files: ["/srv/sub/nb.ipynb"],
      expected: NotebookLocation(path: "/srv/sub/nb.ipynb", origin: .relativeSessionName)),
    Case(
      note: "folder does not match the cwd: fall back to cwd/basename", session: "renamed/nb.ipynb",
      cwd: "/srv/sub", files: ["/srv/sub/nb.ipynb"],
      expected: NotebookLocation(path: "/srv/sub/nb.ipynb", origin: .relativeSessionName)),
    Case(
      note: "folder suffix must match whole components", session: "ub/nb.ipynb", cwd: "/srv/sub",
      files: ["/srv/s/ub/nb.ipynb"], expected: nil),
    Case(
      note: "root is / itself", session: "srv/nb.ipynb", cwd: "/srv", files: ["/srv/nb.ipynb"],
      expected: NotebookLocation(path: "/srv/nb.ipynb", origin: .relativeSessionName)),
    Case(
      note: "relative but no such file", session: "sub/nb.ipynb", cwd: "/srv/sub", files: [],
      expected: nil),
    Case(
      note: "relative in attach mode", session: "sub/nb.ipynb", cwd: nil,
      files: ["/srv/sub/nb.ipynb"], expected: nil),
    Case(
      note: "--notebook wins", override: "/tmp/other.ipynb", session: "/srv/nb.ipynb", cwd: "/srv",
      expected: NotebookLocation(path: "/tmp/other.ipynb", origin: .override)),
    Case(
      note: "relative --notebook is relative to the bridge's cwd", override: "../x/nb.ipynb",
      session: nil, cwd: nil,
      expected: NotebookLocation(path: "/home/u/x/nb.ipynb", origin: .override)),
    Case(
      note: "the connection file's jupyter_session when the environment has none", session: nil,
      connectionFileSession: "/srv/a.ipynb", cwd: nil,
      expected: NotebookLocation(path: "/srv/a.ipynb", origin: .absoluteSessionName)),
    Case(
      note: "an empty JPY_SESSION_NAME defers to the connection file", session: "",
      connectionFileSession: "/srv/a.ipynb", cwd: nil,
      expected: NotebookLocation(path: "/srv/a.ipynb", origin: .absoluteSessionName)),
    Case(
      note: "the environment wins over the connection file", session: "/srv/env.ipynb",
      connectionFileSession: "/srv/file.ipynb", cwd: nil,
      expected: NotebookLocation(path: "/srv/env.ipynb", origin: .absoluteSessionName)),
    Case(note: "both unset", session: "", connectionFileSession: "", cwd: "/srv", expected: nil),
    Case(
      note: "a batch runner's notebook",
      runner: .found(path: "/w/a.ipynb", runner: "papermill", pid: 9),
      session: nil, cwd: "/w", expected: NotebookLocation(path: "/w/a.ipynb", origin: .batchRunner)),
    Case(
      note:
        "a runner started from inside a notebook inherits its JPY_SESSION_NAME: the runner wins",
      runner: .found(path: "/w/a.ipynb", runner: "papermill", pid: 9), session: "/srv/outer.ipynb",
      cwd: "/w", expected: NotebookLocation(path: "/w/a.ipynb", origin: .batchRunner)),
    Case(
      note: "no runner: the session name as before", runner: .unknown(reason: "no runner"),
      session: "/srv/nb.ipynb", cwd: "/srv",
      expected: NotebookLocation(path: "/srv/nb.ipynb", origin: .absoluteSessionName)),
    Case(
      note: "--notebook wins over a runner", override: "/tmp/o.ipynb",
      runner: .found(path: "/w/a.ipynb", runner: "papermill", pid: 9), session: nil, cwd: "/w",
      expected: NotebookLocation(path: "/tmp/o.ipynb", origin: .override)),
  ]

  @Test(arguments: cases)
  func locates(_ example: Case) {
    let files = example.files
    let locator = NotebookLocator(fileExists: { files.contains($0) })
    let found = locator.locate(
      override: example.override, batchRunner: example.runner, sessionName: example.session,
      connectionFileSession: example.connectionFileSession, kernelWorkingDirectory: example.cwd,
      invocationDirectory: "/home/u/work")
    #expect(found == example.expected)
  }

  @Test func namesTheSession() {
    #expect(NotebookLocation(path: "/srv/sub/train.ipynb", origin: .override).name == "train.ipynb")
    #expect(NotebookLocator.fallbackSessionName(kernelName: "python3") == "python3 kernel")
  }
}
