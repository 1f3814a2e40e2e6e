import ExecutionCore

/// Samples the kernel's memory on a thread of its own, never on the IOPub
/// thread: one probe read per `interval` (a few small file reads), and a
/// reading is handed on only when it differs by a MiB or more from the last
/// one handed on (or its limit or OOM count changed), so a quiet kernel costs
/// the receive loop nothing (docs/BEHAVIOUR.md, "Kernel memory").
final class MemorySampler: Sendable {
  private let thread: PeriodicThread

  /// Starts sampling; `onChange` runs on the sampler's thread.
  init(
    probe: any MemoryProbe, interval: Duration = .seconds(1),
    onChange: @escaping @Sendable (MemoryReading) -> Void
  ) {
    thread = PeriodicThread(
      name: "memory-sampler", interval: interval, waitFirst: false,
      state: MemoryReading?.none
    ) { last in
      guard let reading = probe.read(), last.map({ !reading.isClose(to: $0) }) ?? true else {
        return
      }
      last = reading
      onChange(reading)
    }
  }

  /// Stops sampling.
  func stop() { thread.stop() }
}

extension MemoryReading {
  /// The same to a MiB, with the same limit and OOM count.
  func isClose(to other: MemoryReading) -> Bool {
    func mebibytes(_ bytes: UInt64?) -> UInt64? { bytes.map { $0 >> 20 } }
    return source == other.source && limit == other.limit && oomKills == other.oomKills
      && mebibytes(current) == mebibytes(other.current) && mebibytes(peak) == mebibytes(other.peak)
  }
}
