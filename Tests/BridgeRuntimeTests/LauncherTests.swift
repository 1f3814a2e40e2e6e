import ExecutionCore
import Foundation
import Glibc
import Logging
import TestSupport
import Testing

@testable import BridgeRuntime

/// The launcher's side of the monitor seam: fail-open, deadlines, verdicts.
/// The kernels are real child processes; the monitor records what it is told.
@Suite struct LauncherTests {
  actor RecordingMonitor: KernelObserver {
    enum Behaviour: Sendable { case normal, throwing, hangingOnExit, seesShutdown }
    let behaviour: Behaviour
    var startedPID: Int32?
    var exit: KernelExit?
    init(_ behaviour: Behaviour = .normal) { self.behaviour = behaviour }

    struct Failure: Error {}

    func kernelStarted(_ kernel: ChildProcess) async throws {
      startedPID = kernel.pid
      if behaviour == .throwing { throw Failure() }
    }
    func signalReceived(_ event: SignalEvent) async throws {}
    func shutdownSeenOnIOPub() async throws -> Bool {
      if behaviour == .throwing { throw Failure() }
      return behaviour == .seesShutdown
    }
    func kernelExited(_ exit: KernelExit) async throws {
      self.exit = exit
      switch behaviour {
      case .throwing: throw Failure()
      case .hangingOnExit:
        // Ignores cancellation on purpose, like a stuck network call.
        let until = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(50)) }
      case .normal, .seesShutdown: break
      }
    }
  }

  static let quick = LaunchTimings(
    judgement: .milliseconds(100), exitAfterShutdown: .milliseconds(400),
    exitAfterDeath: .milliseconds(600))

  func launcher() -> Launcher {
    Launcher(logger: Logger(label: "test"), timings: Self.quick, signals: [])
  }

  @Test func reportsTheKernelsLifeAndExitsWithItsStatus() async throws {
    let monitor = RecordingMonitor()
    let code = await launcher().run(kernelArgv: ["/bin/sh", "-c", "exit 3"]) { monitor }
    #expect(code == 3)
    #expect(await monitor.startedPID != nil)
    let exit = try #require(await monitor.exit)
    #expect(exit.status == .exited(code: 3))
    #expect(exit.verdict == .died(.exited(status: 3)))
  }

  @Test func shutdownSeenOnIOPubIsNoDeath() async throws {
    let monitor = RecordingMonitor(.seesShutdown)
    let code = await launcher().run(kernelArgv: ["/bin/sh", "-c", "exit 1"]) { monitor }
    #expect(code == 1)
    #expect(await monitor.exit?.verdict == .normal)
  }

  @Test func signalledKernelGives128PlusSignal() async {
    let code = await launcher().run(kernelArgv: ["/bin/sh", "-c", "kill -KILL $$"]) {
      RecordingMonitor()
    }
    #expect(code == 137)
  }

  @Test func aFailingMonitorNeitherStopsTheKernelNorTheExit() async throws {
    let out = temporaryPath("ran")
    defer { unlink(out) }
    let monitor = RecordingMonitor(.throwing)
    let code = await launcher().run(kernelArgv: ["/bin/sh", "-c", "sleep 0.2; echo ran > \(out)"]) {
      monitor
    }
    #expect(code == 0)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "ran\n")
  }

  @Test func aMonitorThatCannotBeMadeLeavesTheKernelRunning() async throws {
    let out = temporaryPath("ran")
    defer { unlink(out) }
    let code = await launcher().run(kernelArgv: ["/bin/sh", "-c", "echo ran > \(out); exit 4"]) {
      throw RecordingMonitor.Failure()
    }
    #expect(code == 4)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "ran\n")
  }

  @Test func aHangingMonitorIsCutOffAtTheDeadline() async {
    let start = ContinuousClock.now
    let code = await launcher().run(kernelArgv: ["/bin/sh", "-c", "exit 2"]) {
      RecordingMonitor(.hangingOnExit)
    }
    let elapsed = ContinuousClock.now - start
    #expect(code == 2)
    // exitAfterDeath is 600 ms after the kernel ended; allow for a loaded machine.
    #expect(elapsed < .seconds(3))
  }

  @Test func aKernelThatCannotStartGivesStatus1() async {
    let code = await launcher().run(kernelArgv: ["/nonexistent/kernel"]) { RecordingMonitor() }
    #expect(code == 1)
  }
}
