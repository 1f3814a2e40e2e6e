import Foundation
import Glibc
import TestSupport
import Testing

@testable import BridgeRuntime

@Suite struct ChildProcessTests {
  /// A blocked mask or an ignored disposition survives execve and silently
  /// breaks kernel interrupts; the child must start with neither.
  @Test func childInheritsNoSignalState() async throws {
    let out = temporaryPath("sig")
    defer { unlink(out) }
    let previous = signal(SIGUSR2, SIG_IGN)
    defer { signal(SIGUSR2, previous) }
    var blocked = sigset_t()
    var saved = sigset_t()
    sigemptyset(&blocked)
    sigaddset(&blocked, SIGUSR1)
    // The spawning thread is created from this one, synchronously, and inherits its mask.
    pthread_sigmask(SIG_BLOCK, &blocked, &saved)
    let started = ChildProcess.start(argv: [
      "/bin/sh", "-c", "exec grep -E '^Sig(Blk|Ign)' /proc/self/status > \(out)",
    ])
    pthread_sigmask(SIG_SETMASK, &saved, nil)
    let kernel = try await started.wait().get()
    #expect(await endStatus(of: kernel) == .exited(code: 0))
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map {
      $0.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
    #expect(lines == ["SigBlk: 0000000000000000", "SigIgn: 0000000000000000"])
  }

  @Test func childIsInOurProcessGroupWithJPYParentPID() async throws {
    let out = temporaryPath("ids")
    defer { unlink(out) }
    let kernel = try await ChildProcess.launch(argv: [
      "/bin/sh", "-c",
      "echo $JPY_PARENT_PID > \(out); exec cut -d' ' -f4,5 /proc/self/stat >> \(out)",
    ])
    #expect(await endStatus(of: kernel) == .exited(code: 0))
    let words = try String(contentsOfFile: out, encoding: .utf8).split(
      whereSeparator: \.isWhitespace)
    #expect(words == ["\(getpid())", "\(getpid())", "\(getpgrp())"])
  }

  @Test func programIsFoundOnPATH() async throws {
    let kernel = try await ChildProcess.launch(argv: ["sh", "-c", "exit 0"])
    #expect(await endStatus(of: kernel) == .exited(code: 0))
  }

  @Test(arguments: [
    ("exit 3", ChildStatus.exited(code: 3)),
    ("kill -KILL $$", .signaled(signal: SIGKILL)),
    ("kill -SEGV $$", .signaled(signal: SIGSEGV)),
  ])
  func reportsHowTheChildEnded(_ script: String, _ expected: ChildStatus) async throws {
    let kernel = try await ChildProcess.launch(argv: ["/bin/sh", "-c", script])
    #expect(await endStatus(of: kernel) == expected)
  }

  @Test func missingProgramIsAClearError() async throws {
    let error = await #expect(throws: SpawnError.self) {
      try await ChildProcess.launch(argv: ["/nonexistent/kernel-binary", "-f", "x"])
    }
    #expect(error == SpawnError(program: "/nonexistent/kernel-binary", code: ENOENT))
    #expect(
      error?.description
        == "cannot start kernel /nonexistent/kernel-binary: No such file or directory")
  }

  @Test func notExecutableIsAClearError() async throws {
    let path = temporaryPath("not-executable")
    defer { unlink(path) }
    #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
    let error = await #expect(throws: SpawnError.self) {
      try await ChildProcess.launch(argv: [path])
    }
    #expect(error?.code == EACCES)
  }

  @Test func signalsReachTheChildUntilItIsReaped() async throws {
    let kernel = try await ChildProcess.launch(argv: ["sleep", "30"])
    #expect(kernel.send(signal: SIGTERM))
    #expect(await endStatus(of: kernel) == .signaled(signal: SIGTERM))
    #expect(!kernel.send(signal: SIGTERM))
  }
}
