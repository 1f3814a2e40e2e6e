import Testing

@testable import ExecutionCore

@Suite struct KernelDeathTests {
  @Test(arguments: [
    (KernelDeath.exited(status: 3), "exited with status 3"),
    (.signaled(11), "killed by signal 11 (SIGSEGV — segmentation fault)"),
    (.signaled(9), "killed by signal 9 (SIGKILL; the cause is unknown)"),
    (.signaled(63), "killed by signal 63"),
    (
      .outOfMemory(limit: 200 << 20, peak: 200 << 20),
      "killed by the out-of-memory killer (limit 200 MiB, peak 200 MiB)"
    ),
    (.outOfMemory(limit: 8 << 30, peak: nil), "killed by the out-of-memory killer (limit 8.0 GiB)"),
    (.outOfMemory(limit: nil, peak: nil), "killed by the out-of-memory killer"),
    (.heartbeatLost, "the kernel stopped answering its heartbeat"),
  ])
  func deathsInWords(_ death: KernelDeath, _ words: String) {
    #expect(death.description == words)
    #expect(death.cellError == "KernelDied: " + words)
  }

  @Test(arguments: [
    (UInt64(0), "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (200 << 20, "200 MiB"),
    (6_549_825_126, "6.1 GiB"), (8 << 30, "8.0 GiB"), (UInt64.max, "16.0 EiB"),
  ])
  func byteCounts(_ bytes: UInt64, _ words: String) {
    #expect(ByteCount(bytes).description == words)
  }
}
