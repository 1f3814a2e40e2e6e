/// Remembers the signatures of recent messages so a replayed one is dropped.
///
/// jupyter_client keeps a history of 2^16 digests and culls it at random when
/// full; this keeps the same number and forgets the oldest first. Only the
/// first 16 bytes of each MAC are kept: a verified MAC is uniformly random,
/// so two distinct messages colliding there is not a practical concern.
public struct ReplayGuard: Sendable {
  private struct Digest: Hashable, Sendable {
    var high: UInt64
    var low: UInt64
  }

  public let capacity: Int
  private var seen: Set<Digest> = []
  private var order: [Digest] = []
  private var oldest = 0

  public init(capacity: Int = 1 << 16) {
    self.capacity = max(1, capacity)
  }

  /// Records a MAC; returns false when it was seen before (a replay).
  public mutating func admit(mac: [UInt8]) -> Bool {
    guard mac.count >= 8 else { return true }
    var high: UInt64 = 0
    var low: UInt64 = 0
    for index in 0..<8 { high = high << 8 | UInt64(mac[index]) }
    for index in 8..<min(16, mac.count) { low = low << 8 | UInt64(mac[index]) }
    let digest = Digest(high: high, low: low)
    guard seen.insert(digest).inserted else { return false }
    if order.count < capacity {
      order.append(digest)
    } else {
      seen.remove(order[oldest])
      order[oldest] = digest
      oldest = (oldest + 1) % capacity
    }
    return true
  }
}
