import ExecutionCore
import Synchronization

/// What the LMK app asks of a running bridge over the session socket.
public enum RemoteCommand: Sendable, Equatable {
  /// Notify on this (one-shot) and/or on this channel from now on; nil changes nothing.
  case settings(notifyOn: NotifyOn?, notifyChannel: String?)
  /// Interrupt the kernel (the app's interrupt button).
  case interrupt
}

/// Carries remote commands from the session socket, which exists before the monitor's
/// loop does, to whoever acts on them once it is there: commands that come earlier
/// wait (a few at most) and are handed over when the target attaches. Thread-safe.
public final class RemoteControlRelay: Sendable {
  private struct State {
    var target: (@Sendable (RemoteCommand) -> Void)?
    var waiting: [RemoteCommand] = []
  }

  private let state = Mutex(State())
  /// Commands kept while no target is attached; older ones are dropped first.
  static let waitingLimit = 8

  public init() {}

  /// Hands `command` to the target, or keeps it until one attaches.
  public func deliver(_ command: RemoteCommand) {
    let target = state.withLock { state -> (@Sendable (RemoteCommand) -> Void)? in
      if state.target == nil {
        state.waiting.append(command)
        if state.waiting.count > Self.waitingLimit { state.waiting.removeFirst() }
      }
      return state.target
    }
    target?(command)
  }

  /// From now on commands go to `target`; those that waited go first, in order.
  public func attach(_ target: @escaping @Sendable (RemoteCommand) -> Void) {
    let waiting = state.withLock { state -> [RemoteCommand] in
      state.target = target
      defer { state.waiting = [] }
      return state.waiting
    }
    waiting.forEach(target)
  }
}
