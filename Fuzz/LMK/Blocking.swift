import Foundation

/// Runs async work to completion from libFuzzer's synchronous callback.
enum Blocking {
  private final class Box<T>: @unchecked Sendable {
    var value: T?
  }

  /// The value, or nil when the work threw.
  static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> T? {
    let box = Box<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
      box.value = try? await work()
      done.signal()
    }
    done.wait()
    return box.value
  }
}
