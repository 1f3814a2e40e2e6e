import Glibc
import Testing
@testable import BridgeRuntime


@Suite struct KernelExitTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var status: ChildStatus
    var sigterm: Bool
    var shutdownOnIOPub: Bool
    var verdict: KernelExit.Verdict
    var bridgeExitCode: Int32
    var testDescription: String { "\(status) sigterm=\(sigterm) iopub=\(shutdownOnIOPub)" }
  }

  static let oom = "killed by signal 9 (SIGKILL — often the out-of-memory killer)"

  static let cases: [Case] = [
    // Exit 0 is never a death, whatever was seen.
    Case(
      status: .exited(code: 0), sigterm: false, shutdownOnIOPub: false, verdict: .normal,
      bridgeExitCode: 0),
    Case(
      status: .exited(code: 0), sigterm: true, shutdownOnIOPub: true, verdict: .normal,
      bridgeExitCode: 0),
    // Non-zero exit: a death unless a shutdown was seen (IRkernel/IJulia announce none).
    Case(
      status: .exited(code: 3), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(description: "exited with status 3"), bridgeExitCode: 3),
    Case(
      status: .exited(code: 3), sigterm: true, shutdownOnIOPub: false, verdict: .normal,
      bridgeExitCode: 3),
    Case(
      status: .exited(code: 1), sigterm: false, shutdownOnIOPub: true, verdict: .normal,
      bridgeExitCode: 1),
    // A signal Jupyter did not send is a death.
    Case(
      status: .signaled(signal: SIGKILL), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(description: oom), bridgeExitCode: 137),
    Case(
      status: .signaled(signal: SIGSEGV), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(description: "killed by signal 11 (SIGSEGV — segmentation fault)"),
      bridgeExitCode: 139),
    Case(
      status: .signaled(signal: SIGINT), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(description: "killed by signal 2 (SIGINT)"), bridgeExitCode: 130),
    // Jupyter's SIGTERM, and its SIGKILL escalation after it, are a shutdown.
    Case(
      status: .signaled(signal: SIGTERM), sigterm: true, shutdownOnIOPub: false, verdict: .normal,
      bridgeExitCode: 143),
    Case(
      status: .signaled(signal: SIGKILL), sigterm: true, shutdownOnIOPub: false, verdict: .normal,
      bridgeExitCode: 137),
    // A crash after the kernel announced its shutdown is not a death.
    Case(
      status: .signaled(signal: SIGSEGV), sigterm: false, shutdownOnIOPub: true, verdict: .normal,
      bridgeExitCode: 139),
    // SIGTERM sent by someone else (not to the bridge) is a death.
    Case(
      status: .signaled(signal: SIGTERM), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(description: "killed by signal 15 (SIGTERM)"), bridgeExitCode: 143),
    // A signal without a name in the table still reads well.
    Case(
      status: .signaled(signal: 40), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(description: "killed by signal 40"), bridgeExitCode: 168),
  ]

  @Test(arguments: cases)
  func verdictAndExitCode(_ c: Case) {
    let exit = KernelExit(
      status: c.status, sigtermReachedBridge: c.sigterm, shutdownSeenOnIOPub: c.shutdownOnIOPub)
    #expect(exit.verdict == c.verdict)
    #expect(exit.bridgeExitCode == c.bridgeExitCode)
  }

  @Test func descriptionWithoutTheLikelyCause() {
    #expect(
      KernelExit.describe(.signaled(signal: SIGKILL), explained: false)
        == "killed by signal 9 (SIGKILL)")
    #expect(KernelExit.describe(.exited(code: 0), explained: false) == "exited with status 0")
  }
}
