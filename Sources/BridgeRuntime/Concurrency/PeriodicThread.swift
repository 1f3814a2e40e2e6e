import Foundation

/// Runs a body every `interval` on a thread of its own, with state only that
/// thread touches, until stopped (the settings watcher, the memory sampler,
/// local control).
///
/// A thread, not a timer on a dispatch queue: the body reads files, and
/// blocking work gets a thread of its own (docs/ARCHITECTURE.md, "Threads").
final class PeriodicThread: Sendable {
  private let stopped = ThreadHandOff<Void>()
  private let ended = ThreadHandOff<Void>()

  /// Starts the thread; the first run of `body` comes after one `interval`
  /// when `waitFirst`, else at once.
  init<State: Sendable>(
    name: String, interval: Duration, waitFirst: Bool, state: State,
    body: @escaping @Sendable (inout State) -> Void
  ) {
    let stopped = self.stopped
    let ended = self.ended
    let thread = Thread {
      var state = state
      // The pause ends early when the thread is stopped.
      if !waitFirst || stopped.wait(timeout: interval) == nil {
        repeat { body(&state) } while stopped.wait(timeout: interval) == nil
      }
      ended.set(())
    }
    thread.name = name
    thread.start()
  }

  /// Stops the thread after its current run of the body.
  func stop() { stopped.set(()) }

  /// Stops the thread and blocks until its current run of the body is over (a plain
  /// thread's call, never a task's).
  func stopAndWait() {
    stop()
    ended.wait()
  }
}
