import Foundation

/// Samples the kernel's memory on a thread of its own, never on the IOPub
/// thread: one probe read per `interval` (a few small file reads), and a
/// reading is handed on only when it differs by a MiB or more from the last
/// one handed on (or its limit or OOM count changed), so a quiet kernel costs
/// the receive loop nothing (PRODUCT.md §10).
final class MemorySampler: Sendable {
  private let stopped = Latch<Void>()

  /// Starts sampling; `onChange` runs on the sampler's thread.
  init(
    probe: any MemoryProbe, interval: Duration = .seconds(1),
    onChange: @escaping @Sendable (MemoryReading) -> Void
  ) {
    let stopped = self.stopped
    let thread = Thread {
      var last: MemoryReading?
      while stopped.value == nil {
        if let reading = probe.read(), last.map({ !reading.isClose(to: $0) }) ?? true {
          last = reading
          onChange(reading)
        }
        Self.pause(interval, unless: stopped)
      }
    }
    thread.name = "memory-sampler"
    thread.start()
  }

  /// Stops sampling (the thread ends after its current read).
  func stop() { stopped.set(()) }

  private static func pause(_ interval: Duration, unless stopped: Latch<Void>) {
    let (seconds, attoseconds) = interval.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while stopped.value == nil, nanosleep(&request, &remaining) != 0, errno == EINTR {
      request = remaining
    }
  }
}

extension MemoryReading {
  /// The same to a MiB, with the same limit and OOM count.
  func isClose(to other: MemoryReading) -> Bool {
    func mebibytes(_ bytes: UInt64?) -> UInt64? { bytes.map { $0 >> 20 } }
    return source == other.source && limit == other.limit && oomKills == other.oomKills
      && mebibytes(current) == mebibytes(other.current) && mebibytes(peak) == mebibytes(other.peak)
  }
}
