import Synchronization

/// A value that is set once and awaited by any number of tasks, each with an
/// optional deadline.
///
/// The launcher's events (the child's end, SIGTERM, a monitor's answer) come
/// from plain threads and must be awaited with a bound: jupyter_client gives a
/// shutting-down kernel 2.5 s, so no wait in the launcher may be open-ended.
final class Latch<Value: Sendable>: Sendable {
  private struct State {
    var value: Value?
    var nextWaiter = 0
    var waiters: [Int: CheckedContinuation<Value?, Never>] = [:]
  }
  private let state = Mutex(State())

  init() {}

  /// The value, if set.
  var value: Value? { state.withLock { $0.value } }

  /// Sets the value and wakes every waiter; later calls are ignored.
  func set(_ value: Value) {
    let woken: [CheckedContinuation<Value?, Never>] = state.withLock { state in
      guard state.value == nil else { return [] }
      state.value = value
      defer { state.waiters = [:] }
      return Array(state.waiters.values)
    }
    for waiter in woken { waiter.resume(returning: value) }
  }

  /// Waits for the value without a bound (only for the child's end, which the
  /// kernel's supervisor, Jupyter, guarantees).
  func wait() async -> Value {
    while true {  // without a deadline the inner wait returns only the value
      if let value = await wait(until: nil) { return value }
    }
  }

  /// Waits until the value is set or `deadline` passes (nil: no deadline);
  /// returns nil on timeout.
  func wait(until deadline: ContinuousClock.Instant?) async -> Value? {
    await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
      let registered: Int? = state.withLock { state in
        if state.value != nil { return nil }
        let id = state.nextWaiter
        state.nextWaiter += 1
        state.waiters[id] = continuation
        return id
      }
      guard let id = registered else {
        continuation.resume(returning: value)
        return
      }
      guard let deadline else { return }
      Task { [weak self] in
        try? await Task.sleep(until: deadline, clock: .continuous)
        let expired = self?.state.withLock { $0.waiters.removeValue(forKey: id) }
        expired?.resume(returning: nil)
      }
    }
  }
}
