/// What is known of the kernel's memory at one moment (docs/BEHAVIOUR.md, "Kernel memory").
///
/// Every figure is optional: a missing or unreadable file means "unknown",
/// never an error that reaches the user.
public struct MemoryReading: Sendable, Equatable {
  /// Where the figures come from.
  public enum Source: Sendable, Equatable {
    /// The kernel's memory cgroup (v2: `memory.current`, `memory.peak`, `memory.max`, `memory.events`).
    case cgroupV2
    /// The kernel's memory cgroup (v1: `memory.usage_in_bytes`, `memory.max_usage_in_bytes`, …).
    case cgroupV1
    /// The kernel process and its children (`VmRSS`, `VmHWM` in `/proc/<pid>/status`).
    case processTree
  }

  public var source: Source
  /// Bytes in use now.
  public var current: UInt64?
  /// The high-water mark, in bytes, since the cgroup (or the process) began or was reset.
  public var peak: UInt64?
  /// The limit in bytes; nil when there is none ("max", or v1's page-rounded `Int64.max`).
  public var limit: UInt64?
  /// How many times the OOM killer struck in the cgroup (v2 `oom_kill`, v1 `oom_kill`).
  public var oomKills: UInt64?

  public init(
    source: Source, current: UInt64? = nil, peak: UInt64? = nil, limit: UInt64? = nil,
    oomKills: UInt64? = nil
  ) {
    self.source = source
    self.current = current
    self.peak = peak
    self.limit = limit
    self.oomKills = oomKills
  }
}

extension MemoryReading {
  /// Without a limit, a move of this many bytes is notable.
  static let notableStepWithoutLimit: UInt64 = 64 << 20

  /// Whether this reading deserves a transcript line after `last`, the one
  /// last given one: another source, limit or OOM count, or `current` moved by
  /// a sixteenth of the limit (64 MiB without one), so a cell that allocates
  /// does not write a line a second.
  func isNotable(after last: MemoryReading?) -> Bool {
    guard let last else { return true }
    guard source == last.source, limit == last.limit, oomKills == last.oomKills else { return true }
    let step = limit.map { max($0 / 16, 1) } ?? Self.notableStepWithoutLimit
    let (now, then) = (current ?? 0, last.current ?? 0)
    return (now > then ? now - then : then - now) >= step
  }
}
