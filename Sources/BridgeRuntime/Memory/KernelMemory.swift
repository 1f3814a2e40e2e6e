import ExecutionCore

/// What the monitor knows of the kernel's memory in launcher mode: the probe,
/// and the cgroup's out-of-memory count when monitoring began, so a SIGKILL
/// is named for what it was only on evidence (docs/BEHAVIOUR.md, "Kernel memory").
struct KernelMemory: Sendable {
  let probe: (any MemoryProbe)?
  private let oomKillsAtStart: UInt64?

  init(kernelPid: Int32?) {
    let probe = kernelPid.map { CgroupMemoryProbe(pid: $0) }
    self.probe = probe
    oomKillsAtStart = probe?.cgroup.flatMap { probe?.read($0)?.oomKills }
  }

  /// The death an end by `status` was: an out-of-memory kill when the kernel
  /// was SIGKILLed and its cgroup counted a new OOM kill, else what the status says.
  func death(of status: ChildStatus) -> KernelDeath {
    switch status {
    case .exited(let code):
      return .exited(status: code)
    case .signaled(let signal):
      guard signal == 9, let probe = probe as? CgroupMemoryProbe, let cgroup = probe.cgroup,
        let reading = probe.read(cgroup), let kills = reading.oomKills,
        kills > (oomKillsAtStart ?? 0)
      else { return .signaled(signal) }
      return .outOfMemory(limit: reading.limit, peak: reading.peak)
    }
  }
}
