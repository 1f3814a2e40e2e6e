import ExecutionCore
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
      verdict: .died(.exited(status: 3)), bridgeExitCode: 3),
    Case(
      status: .exited(code: 3), sigterm: true, shutdownOnIOPub: false, verdict: .normal,
      bridgeExitCode: 3),
    Case(
      status: .exited(code: 1), sigterm: false, shutdownOnIOPub: true, verdict: .normal,
      bridgeExitCode: 1),
    // A signal Jupyter did not send is a death.
    Case(
      status: .signaled(signal: SIGKILL), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(.signaled(SIGKILL)), bridgeExitCode: 137),
    Case(
      status: .signaled(signal: SIGSEGV), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(.signaled(SIGSEGV)),
      bridgeExitCode: 139),
    Case(
      status: .signaled(signal: SIGINT), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(.signaled(SIGINT)), bridgeExitCode: 130),
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
      verdict: .died(.signaled(SIGTERM)), bridgeExitCode: 143),
    // A signal without a name in the table still reads well.
    Case(
      status: .signaled(signal: 40), sigterm: false, shutdownOnIOPub: false,
      verdict: .died(.signaled(40)), bridgeExitCode: 168),
  ]

  @Test(arguments: cases)
  func verdictAndExitCode(_ c: Case) {
    let exit = KernelExit(
      status: c.status, sigtermReachedBridge: c.sigterm, shutdownSeenOnIOPub: c.shutdownOnIOPub)
    #expect(exit.verdict == c.verdict)
    #expect(exit.bridgeExitCode == c.bridgeExitCode)
  }

  @Test func anEndInPlainWords() {
    #expect(
      KernelExit.describe(.signaled(signal: SIGKILL))
        == "killed by signal 9 (SIGKILL)")
    #expect(KernelExit.describe(.exited(code: 0)) == "exited with status 0")
  }
}

/// The supervisor ↔ monitor lines: every message round-trips, and a garbled
/// line (a monitor dying mid-write, a stray print) decodes to nothing, never a trap.
@Suite struct MonitorLinkTests {
  @Test(arguments: [
    MonitorLink.ToMonitor.interrupt(KernelTime(millisecondsSince1970: 1_764_583_200_123)),
    .kernelEnded, .kernelStopped, .kernelDied(.exited(code: 3)), .kernelDied(.signaled(signal: 9)),
  ])
  func toMonitorRoundTrips(_ message: MonitorLink.ToMonitor) {
    #expect(MonitorLink.decodeToMonitor(Substring(MonitorLink.encode(message))) == message)
  }

  @Test(arguments: [
    MonitorLink.ToSupervisor.session(id: "5e0c7d3a-1"), .shutdownSeen(true), .shutdownSeen(false),
    .interruptKernel,
  ])
  func toSupervisorRoundTrips(_ message: MonitorLink.ToSupervisor) {
    #expect(MonitorLink.decodeToSupervisor(Substring(MonitorLink.encode(message))) == message)
  }

  @Test(arguments: [
    "", "interrupt", "interrupt 99999999999999999999", "interrupt -x", "kernel-died signaled",
    "kernel-died signaled 99999999999", "kernel-died exploded 3", "kernel-stopped now", "session",
    "shutdown-seen maybe", "interrupt-kernel now", "\u{FFFD}\u{0}",
    String(repeating: "x", count: 10_000),
  ])
  func garbageDecodesToNothing(_ line: String) {
    #expect(MonitorLink.decodeToMonitor(Substring(line)) == nil)
    #expect(MonitorLink.decodeToSupervisor(Substring(line)) == nil)
  }
}
