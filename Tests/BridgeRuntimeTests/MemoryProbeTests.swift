import ExecutionCore
import Foundation
import Glibc
import TestSupport
import Testing

@testable import BridgeRuntime

/// The memory probe: cgroup v2 against a fixture tree of its files, cgroup v1
/// against a real cgroup of this machine, the process tree against this process.
@Suite struct MemoryProbeTests {
  /// Writes `files` (path relative to the root → text) below a fresh root.
  func fixtureTree(_ files: [String: String]) throws -> String {
    let root = temporaryPath("cgroup-tree")
    for (path, text) in files {
      let url = URL(fileURLWithPath: root + "/" + path)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: url, atomically: false, encoding: .utf8)
    }
    return root
  }

  static let v2Kernel = "sys/fs/cgroup/user.slice/kernel-1"

  @Test func cgroupV2FiguresAreRead() throws {
    let root = try fixtureTree([
      "proc/123/cgroup": "0::/user.slice/kernel-1\n",
      "\(Self.v2Kernel)/memory.current": "1048576\n",
      "\(Self.v2Kernel)/memory.peak": "209715200\n",
      "\(Self.v2Kernel)/memory.max": "209715200\n",
      "\(Self.v2Kernel)/memory.events":
        "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n",
    ])
    defer { try? FileManager.default.removeItem(atPath: root) }
    let probe = CgroupMemoryProbe(pid: 123, root: root)
    #expect(probe.cgroup == .v2(directory: root + "/" + Self.v2Kernel))
    #expect(
      probe.read()
        == MemoryReading(
          source: .cgroupV2, current: 1_048_576, peak: 209_715_200, limit: 209_715_200, oomKills: 1)
    )
  }

  /// No limit of its own: the cgroup says nothing about this kernel, its process tree does.
  @Test func withoutALimitTheProcessTreeIsRead() throws {
    let root = try fixtureTree([
      "proc/123/cgroup": "0::/\n",
      "sys/fs/cgroup/memory.current": "5000000000\n",
      "sys/fs/cgroup/memory.max": "max\n",
      "proc/123/status": "Name:\tpython\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n",
      "proc/123/task/123/children": "124 ",
      "proc/124/status": "VmHWM:\t 512 kB\nVmRSS:\t 256 kB\n",
      "proc/124/task/124/children": "",
    ])
    defer { try? FileManager.default.removeItem(atPath: root) }
    let probe = CgroupMemoryProbe(pid: 123, root: root)
    #expect(probe.cgroup == .v2(directory: root + "/sys/fs/cgroup"))
    #expect(
      probe.read()
        == MemoryReading(source: .processTree, current: 1280 * 1024, peak: 2560 * 1024))
  }

  @Test func aKernelThatIsGoneReadsAsNothing() throws {
    let root = try fixtureTree(["proc/1/cgroup": "0::/\n"])
    defer { try? FileManager.default.removeItem(atPath: root) }
    #expect(CgroupMemoryProbe(pid: 99, root: root).read() == nil)
  }

  @Test(arguments: [
    ("0::/a/b\n", CgroupMembershipCase(unified: "/a/b", v1Memory: nil)),
    ("4:memory:/process_api/x\n0::/\n", .init(unified: "/", v1Memory: "/process_api/x")),
    ("7:cpu,memory:/k\n", .init(unified: nil, v1Memory: "/k")),
    ("garbage\n::\n1:memory\n2:memory:relative\n", .init(unified: nil, v1Memory: nil)),
  ])
  func membershipLines(_ text: String, _ expected: CgroupMembershipCase) {
    let membership = CgroupMembership(text)
    #expect(membership.unified == expected.unified && membership.v1Memory == expected.v1Memory)
  }

  struct CgroupMembershipCase: Sendable {
    var unified: String?
    var v1Memory: String?
  }

  /// Values from outside are parsed without a trap: out of range, negative, "max" are unknown.
  @Test(arguments: [
    ("209715200\n", UInt64?.some(209_715_200)), ("max\n", nil), ("-1", nil),
    ("18446744073709551616", nil), ("9223372036854771712\n", nil), ("", nil), ("1e9", nil),
  ])
  func byteCounts(_ text: String, _ expected: UInt64?) {
    #expect(MemoryFiles.byteCount(text) == expected)
  }

  @Test func hugeKilobyteCountsAreUnknownNotATrap() {
    #expect(MemoryFiles.keyedKilobytes("VmRSS:", in: "VmRSS:\t 18446744073709551615 kB\n") == nil)
    #expect(MemoryFiles.keyedKilobytes("VmRSS:", in: "VmRSS:\t 2048 kB\n") == 2 << 20)
  }

  @Test func thisProcessTreeHasResidentMemory() throws {
    let reading = try #require(CgroupMemoryProbe(pid: getpid()).processTree())
    #expect(reading.source == .processTree)
    #expect((reading.current ?? 0) > 1_000_000)
    #expect((reading.peak ?? 0) >= (reading.current ?? 0))
  }

  /// A real cgroup v1 memory controller (these machines have a writable one,
  /// as root): a child in a cgroup with a 256 MiB limit reads as such. Where
  /// no memory cgroup can be made, this fails and says so — no silent skip.
  @Test func realCgroupV1WithALimit() async throws {
    let directory = "/sys/fs/cgroup/memory/lmk-probe-test-\(getpid())"
    guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
      Issue.record(
        "cannot create a memory cgroup at \(directory): \(String(cString: strerror(errno))) (needs root and cgroup v1)"
      )
      return
    }
    defer { rmdir(directory) }
    try "268435456".write(
      toFile: directory + "/memory.limit_in_bytes", atomically: false, encoding: .utf8)
    // Memory charged before the move stays with the old cgroup: allocate after joining.
    let allocator = """
      import time
      while 'lmk-probe-test' not in open('/proc/self/cgroup').read(): time.sleep(0.01)
      block = bytearray(48 << 20)
      time.sleep(30)
      """
    let child = try await ChildProcess.launch(argv: ["python3", "-c", allocator])
    defer { child.send(signal: SIGKILL) }
    try "\(child.pid)".write(
      toFile: directory + "/cgroup.procs", atomically: false, encoding: .utf8)
    let probe = CgroupMemoryProbe(pid: child.pid)
    #expect(probe.cgroup == .v1(directory: directory))
    let deadline = ContinuousClock.now + .seconds(20)
    var reading = probe.read()
    while (reading?.current ?? 0) < 48 << 20, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(20))  // polling a condition, with a deadline
      reading = probe.read()
    }
    let figures = try #require(reading)
    #expect(figures.source == .cgroupV1)
    #expect(figures.limit == 268_435_456)
    #expect(figures.oomKills == 0)
    #expect((figures.current ?? 0) >= 48 << 20)
    #expect((figures.peak ?? 0) >= (figures.current ?? 0))
    child.send(signal: SIGKILL)
    _ = await endStatus(of: child)
  }
}
