import CZeroMQ

/// Waits for several sockets at once with `zmq_poll`.
public struct Poller {
  private var items: [zmq_pollitem_t] = []
  private var sockets: [Socket] = []

  public init() {}

  /// Watches `socket` for incoming messages; returns its index for `isReadable`.
  @discardableResult
  public mutating func addReadable(_ socket: Socket) -> Int {
    items.append(
      zmq_pollitem_t(socket: socket.rawHandle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0))
    sockets.append(socket)
    return items.count - 1
  }

  /// Watches a file descriptor (a pipe, an eventfd) for readability; returns its index.
  @discardableResult
  public mutating func addReadable(fileDescriptor: Int32) -> Int {
    items.append(
      zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: Int16(ZMQ_POLLIN), revents: 0))
    return items.count - 1
  }

  /// Waits up to `timeoutMilliseconds` (-1 = forever) for any watched socket to
  /// become readable; returns how many are. A signal does not cut the wait short.
  @discardableResult
  public mutating func poll(timeoutMilliseconds: Int) throws -> Int {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .milliseconds(max(timeoutMilliseconds, 0)))
    var timeout = timeoutMilliseconds
    while true {
      let ready = zmq_poll(&items, Int32(items.count), timeout)
      if ready >= 0 { return Int(ready) }
      let error = ZMQError.last("zmq_poll")
      guard error.interrupted else { throw error }
      if timeoutMilliseconds >= 0 {
        let left = clock.now.duration(to: deadline).components
        timeout = max(0, Int(left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000))
      }
    }
  }

  /// Whether the socket at `index` had a message waiting at the last poll.
  public func isReadable(_ index: Int) -> Bool {
    items[index].revents & Int16(ZMQ_POLLIN) != 0
  }
}
