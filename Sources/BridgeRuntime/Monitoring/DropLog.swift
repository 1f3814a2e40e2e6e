import ExecutionCore
import JupyterProtocol

/// Counts dropped IOPub messages per reason and decides when a line about them is
/// due: at most one a second, whatever a hostile peer sends, saying how many were
/// suppressed since the last one; plus a summary of the counts at wrap-up. Pure.
public struct DropLog: Sendable {
  /// Drops so far, per reason (saturating: never a trap).
  public private(set) var counts = DropCounts()
  private var lastLine: ClockReading?
  private var suppressed = 0

  /// The least time between two lines.
  public static let intervalMilliseconds: Int64 = 1_000

  public init() {}

  /// Counts a drop; returns the line to log now, or nil while rate-limited.
  public mutating func record(_ reason: DropReason, at now: ClockReading) -> String? {
    counts.increment(reason)
    if let lastLine, now.milliseconds(since: lastLine) < Self.intervalMilliseconds,
      now >= lastLine
    {
      suppressed = suppressed < Int.max ? suppressed + 1 : suppressed
      return nil
    }
    lastLine = now
    defer { suppressed = 0 }
    let more = suppressed > 0 ? " (and \(suppressed) more since the last such line)" : ""
    return "dropped an IOPub message: \(reason.rawValue)\(more)"
  }

  /// The wrap-up line, nil when nothing was dropped:
  /// `IOPub messages dropped: 3 (no <IDS|MSG> delimiter: 1, replayed signature: 2)`.
  public var summary: String? {
    let total = counts.total
    guard total > 0 else { return nil }
    let parts = DropReason.allCases.compactMap { reason in
      counts[reason] > 0 ? "\(reason.rawValue): \(counts[reason])" : nil
    }
    return "IOPub messages dropped: \(total) (\(parts.joined(separator: ", ")))"
  }
}
