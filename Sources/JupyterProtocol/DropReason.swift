/// Why an IOPub message was dropped; each reason is counted and logged (rate-limited).
public enum DropReason: String, CaseIterable, Sendable, Error {
  case noDelimiter = "no <IDS|MSG> delimiter"
  case tooFewFrames = "fewer than the five frames after the delimiter"
  case unsigned = "unsigned message (the connection file has a key)"
  case badSignature = "signature does not match"
  case replayed = "replayed signature"
  case malformedHeader = "header is not a valid JSON object with msg_type"
  case malformedParent = "parent header is not a valid JSON object"
  case malformedContent = "content does not fit its message type"
}

/// Counts of dropped messages by reason.
public struct DropCounts: Sendable, Equatable {
  private var counts = [Int](repeating: 0, count: DropReason.allCases.count)
  public init() {}
  public subscript(reason: DropReason) -> Int {
    get { counts[Self.index(reason)] }
    set { counts[Self.index(reason)] = newValue }
  }
  /// Adds one drop, saturating at `Int.max` (never a trap).
  public mutating func increment(_ reason: DropReason) {
    let index = Self.index(reason)
    if counts[index] < Int.max { counts[index] += 1 }
  }
  /// All drops, saturating at `Int.max`.
  public var total: Int {
    counts.reduce(0) { sum, count in
      let (added, overflow) = sum.addingReportingOverflow(count)
      return overflow ? Int.max : added
    }
  }
  private static func index(_ reason: DropReason) -> Int {
    DropReason.allCases.firstIndex(of: reason) ?? 0
  }
}
