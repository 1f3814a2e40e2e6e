import Testing

@testable import BridgeSettings

@Suite struct BatchRunnerSearchTests {
  /// Processes as a table: pid → (parent, argv, cwd); a missing field cannot be read.
  struct FakeTable: ProcessTable {
    var processes: [Int32: (parent: Int32?, argv: [String]?, cwd: String?)]
    func parent(of pid: Int32) -> Int32? { processes[pid]?.parent }
    func commandLine(of pid: Int32) -> [String]? { processes[pid]?.argv }
    func workingDirectory(of pid: Int32) -> String? { processes[pid]?.cwd }
  }

  static let papermill = ["/v/bin/python", "/v/bin/papermill", "pm_fail.ipynb", "out.ipynb"]

  func find(_ table: FakeTable, from pid: Int32 = 100, files: Set<String> = [])
    -> BatchRunnerSearch.Finding
  {
    BatchRunnerSearch.find(from: pid, in: table) { files.contains($0) }
  }

  @Test func theParentIsTheRunner() {
    let table = FakeTable(processes: [100: (1, Self.papermill, "/jobs")])
    #expect(
      find(table, files: ["/jobs/pm_fail.ipynb", "/jobs/out.ipynb"])
        == .found(path: "/jobs/pm_fail.ipynb", runner: "papermill", pid: 100))
  }

  @Test func wrappersBetweenAreWalkedThrough() {
    let table = FakeTable(processes: [
      100: (90, ["/bin/sh", "-c", "exec jupyter-lmk run"], "/"),
      90: (80, ["env", "A=1", "sh"], "/"),
      80: (1, ["jupyter", "execute", "nb.ipynb"], "/w"),
    ])
    #expect(
      find(table, files: ["/w/nb.ipynb"])
        == .found(path: "/w/nb.ipynb", runner: "jupyter execute", pid: 80))
  }

  @Test func anUnknownParentSaysWhatItRuns() {
    let table = FakeTable(processes: [100: (1, ["python3", "script.py"], "/w")])
    #expect(
      find(table)
        == .unknown(reason: "the parent (pid 100, `python3 script.py`) is no known batch runner"))
  }

  @Test func aRunnerWhoseNotebookIsMissing() {
    let table = FakeTable(processes: [100: (1, Self.papermill, "/jobs")])
    #expect(
      find(table)
        == .unknown(
          reason:
            "papermill (pid 100, `/v/bin/python /v/bin/papermill pm_fail.ipynb out.ipynb`) names no notebook file that exists"
        ))
    let stdin = FakeTable(processes: [100: (1, ["papermill", "-", "out.ipynb"], "/jobs")])
    #expect(
      find(stdin)
        == .unknown(reason: "papermill (pid 100, `papermill - out.ipynb`) names no notebook"))
  }

  /// `jupyter nbconvert --execute a.ipynb b.ipynb` runs both, one kernel after the other.
  @Test func severalNotebooksAreAmbiguous() {
    let table = FakeTable(processes: [
      100: (1, ["jupyter-nbconvert", "--execute", "a.ipynb", "b.ipynb", "a.ipynb"], "/w")
    ])
    #expect(
      find(table, files: ["/w/a.ipynb"])
        == .found(path: "/w/a.ipynb", runner: "jupyter nbconvert", pid: 100))
    #expect(
      find(table, files: ["/w/a.ipynb", "/w/b.ipynb"])
        == .unknown(
          reason:
            "jupyter nbconvert (pid 100) runs 2 notebooks, and which one this kernel runs is not known"
        ))
  }

  @Test func unreadableAndEndlessAncestries() {
    #expect(
      find(FakeTable(processes: [:])) == .unknown(reason: "the parent (pid 100) cannot be read"))
    #expect(
      find(FakeTable(processes: [:]), from: 1)
        == .unknown(reason: "no batch runner above the kernel (its parent exited)"))
    #expect(
      find(FakeTable(processes: [100: (nil, ["sh"], "/")]))
        == .unknown(reason: "the parent of pid 100 cannot be read"))
    // A loop in a lying table ends at the step bound.
    #expect(
      find(FakeTable(processes: [100: (100, ["bash"], "/")]))
        == .unknown(reason: "no batch runner within 8 processes above the kernel"))
  }

  @Test func quotedCommandLinesAreOneBoundedLine() {
    #expect(BatchRunnerSearch.quoted(["a\nb", "`x`", "\u{1B}[31m"]) == "a?b ?x? ?[31m")
    let long = BatchRunnerSearch.quoted([String(repeating: "x", count: 1 << 20)])
    #expect(long.count == BatchRunnerSearch.quotedLimit + 1)
    let empties = BatchRunnerSearch.quoted(Array(repeating: "", count: 1 << 20))
    #expect(empties.count == BatchRunnerSearch.quotedLimit + 1)
    #expect(BatchRunnerSearch.quoted([]) == "")
  }
}
