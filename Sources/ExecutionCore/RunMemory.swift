/// A run's peak memory, as its notification shows it (docs/BEHAVIOUR.md, "Kernel memory").
public struct RunMemory: Sendable, Equatable, CustomStringConvertible {
  /// Whose peak the figure is.
  public enum Scope: Sendable, Equatable {
    /// The run's own: the high-water mark it set, else the most seen while it ran.
    case run
    /// The kernel's lifetime high-water mark: the run's own could not be told apart.
    case kernelLifetime
  }

  public var peak: UInt64
  /// The limit the kernel runs under; nil when there is none.
  public var limit: UInt64?
  public var scope: Scope

  public init(peak: UInt64, limit: UInt64?, scope: Scope) {
    self.peak = peak
    self.limit = limit
    self.scope = scope
  }

  /// `Peak memory: 6.1 GiB of 8.0 GiB`, `Peak memory (kernel lifetime): 1.2 GiB`.
  public var description: String {
    let label = scope == .run ? "Peak memory" : "Peak memory (kernel lifetime)"
    return "\(label): \(ByteCount(peak))" + (limit.map { " of \(ByteCount($0))" } ?? "")
  }
}

/// The kernel's memory crossed `memoryWarning` during a run: the figure and the limit.
public struct MemoryWarning: Sendable, Equatable, CustomStringConvertible {
  public var figure: UInt64
  public var limit: UInt64

  public init(figure: UInt64, limit: UInt64) {
    self.figure = figure
    self.limit = limit
  }

  /// The figure as a whole percentage of the limit, rounded down; clamped, so any
  /// figures (outside data) give a number, never a trap.
  public var percent: Int {
    guard limit > 0 else { return 0 }
    return Int(min(Double(figure) / Double(limit) * 100, 1_000_000).rounded(.down))
  }

  /// `memory at 231.4 MiB of 256 MiB (90 %)`.
  public var description: String {
    "memory at \(ByteCount(figure)) of \(ByteCount(limit)) (\(percent) %)"
  }
}

/// Follows the kernel's memory readings through runs: the run's peak and the
/// one warning a run may give. Pure, fed by `CoreInput.memory`.
///
/// The run's own peak: when the high-water mark (`peak`) rose while the run was
/// in progress, the new mark is the run's, exactly; otherwise the largest
/// `current` seen from the run's start (the reading in force then, and every
/// reading during it). With no run, or nothing sampled, only the lifetime mark
/// is known, and it is labelled so.
struct MemoryTracker: Sendable, Equatable {
  private struct RunFigures: Sendable, Equatable {
    var startPeak: UInt64?
    var sampledMax: UInt64?
    var warned = false
  }

  private(set) var latest: MemoryReading?
  private var run: RunFigures?
  /// The reading last worth a transcript line.
  private var recorded: MemoryReading?

  mutating func runStarted() {
    run = RunFigures(startPeak: latest?.peak, sampledMax: latest?.current)
  }

  /// Takes a reading in; returns whether it is worth a transcript line.
  mutating func record(_ reading: MemoryReading) -> Bool {
    latest = reading
    if let current = reading.current, var figures = run {
      figures.sampledMax = max(figures.sampledMax ?? current, current)
      run = figures
    }
    guard reading.isNotable(after: recorded) else { return false }
    recorded = reading
    return true
  }

  /// The run's peak (see the type's comment); ends the run's tracking.
  mutating func runEnded() -> RunMemory? {
    defer { run = nil }
    return peak
  }

  /// The run's peak so far; the lifetime mark when no run is in progress.
  var peak: RunMemory? {
    guard let latest else { return nil }
    if let run {
      if let peak = latest.peak, let start = run.startPeak, peak > start {
        return RunMemory(peak: peak, limit: latest.limit, scope: .run)
      }
      if let sampled = run.sampledMax {
        return RunMemory(peak: sampled, limit: latest.limit, scope: .run)
      }
    }
    return latest.peak.map { RunMemory(peak: $0, limit: latest.limit, scope: .kernelLifetime) }
  }

  /// The warning due now, at most once per run: the run's peak reached
  /// `fraction` of a known limit.
  mutating func warning(at fraction: Double?) -> MemoryWarning? {
    guard let fraction, run?.warned == false, let peak, peak.scope == .run,
      let limit = peak.limit, limit > 0, Double(peak.peak) >= fraction * Double(limit)
    else { return nil }
    run?.warned = true
    return MemoryWarning(figure: peak.peak, limit: limit)
  }
}
