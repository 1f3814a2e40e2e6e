import Foundation

/// Runs a body every `interval` on a thread of its own, with state only that
/// thread touches, until stopped (the settings watcher, the memory sampler).
///
/// A thread, not a timer on a dispatch queue: the body reads files, and
/// blocking work gets a thread of its own (docs/ARCHITECTURE.md, "Threads").
final class PeriodicThread: Sendable {
  private let stopped = Latch<Void>()

  /// Starts the thread; the first run of `body` comes after one `interval`
  /// when `waitFirst`, else at once.
  init<State: Sendable>(
    name: String, interval: Duration, waitFirst: Bool, state: State,
    body: @escaping @Sendable (inout State) -> Void
  ) {
    let stopped = self.stopped
    let thread = Thread {
      var state = state
      if waitFirst { Self.pause(interval, unless: stopped) }
      while stopped.value == nil {
        body(&state)
        Self.pause(interval, unless: stopped)
      }
    }
    thread.name = name
    thread.start()
  }

  /// Stops the thread after its current run of the body (within one interval).
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
