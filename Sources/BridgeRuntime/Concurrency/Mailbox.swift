import Synchronization

/// Values posted from any thread to the receive loop, which takes them in order.
public final class Mailbox<Element: Sendable>: Sendable {
  private let items = Mutex<[Element]>([])
  private let pipe: WakePipe

  public init(pipe: WakePipe) { self.pipe = pipe }

  /// Queues a value and wakes the loop.
  public func post(_ element: Element) {
    items.withLock { $0.append(element) }
    pipe.wake()
  }

  /// Takes everything queued so far.
  public func takeAll() -> [Element] {
    pipe.drain()
    return items.withLock { items in
      defer { items.removeAll(keepingCapacity: true) }
      return items
    }
  }
}
