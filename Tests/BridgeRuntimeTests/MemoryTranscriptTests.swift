import ExecutionCore
import Testing

@testable import BridgeRuntime

@Suite("Transcript: kernel memory")
struct MemoryTranscriptTests {
  @Test(arguments: [
    (
      MemoryReading(
        source: .cgroupV1, current: 231 << 20, peak: 240 << 20, limit: 256 << 20, oomKills: 0),
      "memory: 231 MiB of 256 MiB, peak 240 MiB (cgroup v1)"
    ),
    (
      MemoryReading(
        source: .cgroupV2, current: 256 << 20, peak: 256 << 20, limit: 256 << 20, oomKills: 1),
      "memory: 256 MiB of 256 MiB, peak 256 MiB, 1 OOM kill(s) (cgroup v2)"
    ),
    (
      MemoryReading(source: .processTree, current: 80 << 20), "memory: 80 MiB (kernel process tree)"
    ),
  ])
  func line(_ reading: MemoryReading, words: String) {
    #expect(ExecutionTranscript.line(for: .record(.memoryChanged(reading))) == words)
  }

  @Test func aRunsNotificationLineCarriesItsPeak() {
    let intent = NotificationIntent(
      outcome: .finished, cell: CellReport(executionCount: 2, code: "x", state: .success),
      cellCount: 1, startedAt: nil, finishedAt: nil, durationMilliseconds: 10, notifyChannel: nil,
      memory: RunMemory(peak: 300 << 20, limit: 512 << 20, scope: .run))
    #expect(
      ExecutionTranscript.line(for: .notify(intent))
        == "notify: run of 1 cell(s) finished at [2]; Peak memory: 300 MiB of 512 MiB")
  }
}
