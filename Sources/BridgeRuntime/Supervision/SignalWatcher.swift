import CSpawn
import ExecutionCore
import Foundation

/// A signal that reached the bridge, as the rest of the bridge sees it.
///
/// The kernel is in the bridge's process group, so Jupyter's group signals
/// reach it directly; the bridge only learns what happened and forwards nothing.
public enum SignalEvent: Sendable, Equatable {
  /// SIGINT: Jupyter interrupted the process group (interrupt_mode `signal`),
  /// so the kernel got it too — a running cell counts as cancelled even on
  /// kernels that send no error for it (IRkernel). The wall time is read as
  /// the signal is taken in, to compare with the kernel's idle date.
  case interruptReachedKernel(at: KernelTime)
  /// SIGTERM: Jupyter asks for a shutdown; wait for the kernel, wrap up, exit.
  case shutdownRequested
  /// A signal the bridge survives and otherwise ignores (SIGHUP, SIGQUIT,
  /// SIGUSR1, SIGUSR2): their default action would kill the bridge and with it
  /// the kernel, or make Jupyter restart it.
  case survived(signal: Int32)

  init(signal: Int32, at time: KernelTime) {
    switch signal {
    case SIGINT: self = .interruptReachedKernel(at: time)
    case SIGTERM: self = .shutdownRequested
    default: self = .survived(signal: signal)
    }
  }
}

/// Catches the signals of launcher mode with real handlers (not SIG_IGN, not a
/// blocked mask, either of which the kernel would inherit) and turns them into
/// `SignalEvent` values.
///
/// The handler (C, in `CSpawn`) only writes the signal number to a pipe; a
/// reader thread turns bytes into events.
public final class SignalWatcher: Sendable {
  /// The signals launcher mode handles (docs/BEHAVIOUR.md, "Launcher mode").
  public static let launcherSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

  /// Every caught signal, in arrival order; meant for one consumer.
  public let events: AsyncStream<SignalEvent>
  private let sigterm = Latch<Void>()

  /// Installs handlers for `signals` and starts reading them. `onEvent` runs
  /// on the reader thread as each signal arrives, before `events` gets it (for
  /// logging that must not wait for a busy consumer). One watcher per signal:
  /// a later watcher takes over the signals it names.
  /// Throws `SignalInstallError` when a handler cannot be installed.
  public init(
    signals: [Int32] = SignalWatcher.launcherSignals,
    onEvent: @escaping @Sendable (SignalEvent) -> Void = { _ in }
  ) throws {
    let fd = signals.withUnsafeBufferPointer {
      lmk_signals_install($0.baseAddress, Int32($0.count))
    }
    guard fd >= 0 else { throw SignalInstallError(code: errno) }
    let (events, continuation) = AsyncStream.makeStream(of: SignalEvent.self)
    self.events = events
    let sigterm = self.sigterm
    let thread = Thread {
      var buffer = [UInt8](repeating: 0, count: 64)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        for byte in buffer[..<count] {
          let event = SignalEvent(signal: Int32(byte), at: MonotonicClock.wallTime())
          onEvent(event)  // first: once the flag is set the bridge may exit
          if event == .shutdownRequested { sigterm.set(()) }
          continuation.yield(event)
        }
      }
      continuation.finish()
    }
    thread.name = "signal-watcher"
    thread.start()
  }

  /// Whether SIGTERM has reached the bridge.
  public var shutdownRequested: Bool { sigterm.value != nil }

  /// Whether SIGTERM reaches the bridge before `deadline`. A group SIGTERM can
  /// kill the kernel a moment before the bridge's own handler has run; asking
  /// with a short deadline keeps that shutdown from being taken for a death.
  public func shutdownRequested(by deadline: ContinuousClock.Instant) async -> Bool {
    await sigterm.wait(until: deadline) != nil
  }
}

/// A signal handler could not be installed.
public struct SignalInstallError: Error, Equatable, CustomStringConvertible {
  public var code: Int32
  public var description: String {
    "cannot install signal handlers: \(String(cString: strerror(code)))"
  }
}
