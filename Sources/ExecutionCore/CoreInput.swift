/// Everything that can happen to the core. Each input carries the monotonic
/// clock reading at which it happened; the core never reads a clock.
public enum CoreInput: Sendable, Equatable {
  /// A verified, decoded IOPub message.
  case message(IOPubMessage, at: ClockReading)
  /// Time passed; feed one at `BridgeCore.nextDeadline` so idle grace can end a run.
  case tick(ClockReading)
  /// The kernel died (launcher: killed by a signal Jupyter did not send, or a non-zero
  /// exit with no shutdown seen; attach: heartbeat lost with the connection file still there).
  /// Its `cellError` becomes the session's, e.g.
  /// `KernelDied: killed by the out-of-memory killer (limit 200 MiB, peak 200 MiB)`.
  /// A repeated report before the next cell starts is ignored.
  case kernelDied(KernelDeath, at: ClockReading)
  /// The kernel exited normally (shutdown): a run inside its idle grace ends at once,
  /// so its notification goes out before the bridge exits.
  case kernelExited(at: ClockReading)
  /// Launcher mode: an interrupt reached the kernel. Main-shell cells running now end as
  /// `cancelled` unless they report an error of their own, for kernels (IRkernel) that
  /// report no error on interrupt.
  /// `kernelTime` is when it happened on the kernel's clock (launcher mode: the same
  /// machine): a cell whose idle is dated earlier had finished before the interrupt.
  case interruptReachedKernel(at: ClockReading, kernelTime: KernelTime? = nil)
  /// A change made in the LMK app. `notifyOn` is one-shot: after the next run ends it
  /// returns to the configured value. A nil or unchanged value changes nothing.
  case remoteSettings(notifyOn: NotifyOn?, notifyChannel: String?, at: ClockReading)
  /// The configured settings (defaults, config file, notebook metadata) were re-read.
  case settingsChanged(NotificationPolicy, at: ClockReading)
  /// Launcher mode: the kernel's memory figures changed (the sampler's reading).
  case memory(MemoryReading, at: ClockReading)

  /// When the input happened.
  public var time: ClockReading {
    switch self {
    case .message(_, let at), .tick(let at), .kernelDied(_, let at), .kernelExited(let at),
      .interruptReachedKernel(let at, _), .remoteSettings(_, _, let at),
      .settingsChanged(_, let at), .memory(_, let at):
      return at
    }
  }
}
