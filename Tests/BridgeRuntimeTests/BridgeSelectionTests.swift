import Testing

@testable import BridgeRuntime

/// `notify`'s choice of a bridge: no flag needs exactly one, `--existing` alone the
/// newest, `--existing ID` an id or unique prefix, `--notebook` a path or file name.
@Suite struct BridgeSelectionTests {
  let analysis = BridgeStateTests.state(
    id: "1a2b", pid: 10, startedAt: 3, notebook: "/nb/analysis.ipynb")
  let report = BridgeStateTests.state(
    id: "1a9f", pid: 11, startedAt: 9, notebook: "/nb/report.ipynb")
  let other = BridgeStateTests.state(
    id: "77aa", pid: 12, startedAt: 5, notebook: "/other/analysis.ipynb")

  @Test func choosesOrSaysWhyNot() {
    let all = [analysis, report, other]
    let cases: [(BridgeSelection, [BridgeState], Result<BridgeState, BridgeSelection.Failure>)] = [
      (.onlyOne, [], .failure(.noBridge)),
      (.onlyOne, [report], .success(report)),
      (.onlyOne, all, .failure(.ambiguous("3 bridges are running", [analysis, report, other]))),
      (.newest, all, .success(report)),
      (.kernel("1a2b"), all, .success(analysis)),
      (.kernel("77"), all, .success(other)),
      (.kernel("1a"), all, .failure(.ambiguous("2 kernels start with 1a", [analysis, report]))),
      (.kernel("ff"), all, .failure(.noMatch("for kernel ff"))),
      (.notebook("/nb/report.ipynb"), all, .success(report)),
      (.notebook("/nb/../nb/analysis.ipynb"), all, .success(analysis)),
      (.notebook("report.ipynb"), all, .success(report)),
      (
        .notebook("analysis.ipynb"), all,
        .failure(.ambiguous("2 bridges follow analysis.ipynb", [analysis, other]))
      ),
      (.notebook("/nb/gone.ipynb"), all, .failure(.noMatch("for the notebook /nb/gone.ipynb"))),
    ]
    for (selection, bridges, expected) in cases {
      #expect(selection.choose(from: bridges) == expected, "\(selection)")
    }
  }
}
