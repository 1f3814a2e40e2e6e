/// Latest-wins coalescing of session updates with at most one request in flight.
///
/// A cell storm must not become a request storm, and a slow server must not
/// make updates queue without bound: while a request is in flight only the
/// newest value waits, and it is sent as soon as that request completes, so
/// the final state is always delivered.
public struct UpdateCoalescer<Value: Sendable>: Sendable {
  public private(set) var waiting: Value?
  public private(set) var inFlight = false

  public init() {}

  /// Offers a new value; returns it when it should be sent now.
  public mutating func offer(_ value: Value) -> Value? {
    guard !inFlight else {
      waiting = value
      return nil
    }
    inFlight = true
    return value
  }

  /// The request in flight completed (whatever its result); returns the value to send next.
  public mutating func completed() -> Value? {
    guard let next = waiting else {
      inFlight = false
      return nil
    }
    waiting = nil
    return next
  }

  /// Whether everything offered has been sent and completed.
  public var isIdle: Bool { !inFlight && waiting == nil }
}
