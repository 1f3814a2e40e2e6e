import ExecutionCore

/// The transcript's (launcher mode: the debug log's) memory lines: one at the
/// first reading and at each notable change, not one a second while a cell
/// allocates (docs/BEHAVIOUR.md, "Kernel memory").
extension MemoryReading {
  /// Without a limit, a move of this many bytes is notable.
  static let notableStepWithoutLimit: UInt64 = 64 << 20

  /// Whether this reading deserves a line after `last`, the one last written:
  /// another source, limit or OOM count, or `current` moved by a sixteenth of
  /// the limit (64 MiB without one).
  func isNotable(after last: MemoryReading?) -> Bool {
    guard let last else { return true }
    guard source == last.source, limit == last.limit, oomKills == last.oomKills else { return true }
    let step = limit.map { max($0 / 16, 1) } ?? Self.notableStepWithoutLimit
    let (now, then) = (current ?? 0, last.current ?? 0)
    return (now > then ? now - then : then - now) >= step
  }

  /// `memory: 231.4 MiB of 256 MiB, peak 240 MiB (cgroup v1)`.
  var transcriptLine: String {
    let figures = [
      current.map { "\(ByteCount($0))" + (limit.map { " of \(ByteCount($0))" } ?? "") },
      peak.map { "peak \(ByteCount($0))" },
      oomKills.flatMap { $0 > 0 ? "\($0) OOM kill(s)" : nil },
    ].compactMap { $0 }
    let origin =
      switch source {
      case .cgroupV2: "cgroup v2"
      case .cgroupV1: "cgroup v1"
      case .processTree: "kernel process tree"
      }
    return "memory: \(figures.joined(separator: ", ")) (\(origin))"
  }
}
