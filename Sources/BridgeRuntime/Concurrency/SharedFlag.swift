import Synchronization

/// A Boolean one thread sets and another reads, as a reference the closures of
/// both can hold (an `Atomic` itself cannot be copied into them).
final class SharedFlag: Sendable {
  private let value = Atomic(false)

  init() {}

  func set(_ newValue: Bool) { value.store(newValue, ordering: .releasing) }
  var isSet: Bool { value.load(ordering: .acquiring) }
}
