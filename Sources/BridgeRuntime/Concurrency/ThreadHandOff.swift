import Foundation
import Synchronization

/// A value handed from one plain thread to others that block for it: set once,
/// then every `wait` returns it. The typed hand-off between a loop thread and
/// the thread that started it (docs/ARCHITECTURE.md, "Threads"), where
/// `Latch` is the one for tasks: this one blocks, so never call `wait` in a task.
final class ThreadHandOff<Value: Sendable>: Sendable {
  private let value = Mutex<Value?>(nil)
  private let ready = DispatchSemaphore(value: 0)

  init() {}

  /// Sets the value and releases the waiters; later calls are ignored.
  func set(_ newValue: Value) {
    let first = value.withLock { current -> Bool in
      guard current == nil else { return false }
      current = newValue
      return true
    }
    if first { ready.signal() }
  }

  /// Blocks until the value is set.
  func wait() -> Value {
    while true {
      if let set = value.withLock({ $0 }) { return set }
      ready.wait()
      ready.signal()  // the next waiter passes too
    }
  }

  /// Blocks until the value is set or `timeout` passes; nil on timeout.
  func wait(timeout: Duration) -> Value? {
    if let set = value.withLock({ $0 }) { return set }
    guard ready.wait(timeout: .now() + timeout.dispatchInterval) == .success else {
      return value.withLock { $0 }
    }
    ready.signal()
    return value.withLock { $0 }
  }
}

extension Duration {
  /// For `DispatchSemaphore` waits (never negative).
  fileprivate var dispatchInterval: DispatchTimeInterval {
    .milliseconds(max(0, clampedMillisecondsForDispatch))
  }

  private var clampedMillisecondsForDispatch: Int {
    let (seconds, attoseconds) = components
    guard seconds < Int64(Int32.max) else { return Int(Int32.max) }
    guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return 0 }
    return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
  }
}
