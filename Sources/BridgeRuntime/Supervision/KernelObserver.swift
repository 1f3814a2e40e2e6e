import Logging

/// What the launcher tells about the kernel's life: the monitor process
/// (`MonitorProcess`) in the bridge, a recording fake in the tests.
///
/// The launcher owns the kernel's life and only reports to the monitor, so a
/// monitor can never delay or stop the kernel: it is created after the kernel
/// started, every error it throws is logged and ignored, and the calls made
/// after the kernel ended are cut off at deadlines (the bridge must exit about
/// 1 s after a shutdown, 2 s after a death). Calls may overlap.
public protocol KernelObserver: Sendable {
  /// The kernel runs. Called once, in a task of its own, right after the
  /// monitor was made; may run (e.g. an IOPub loop) until the kernel ends.
  /// `kernel.send(signal: SIGINT)` is the remote interrupt for
  /// `interrupt_mode: signal`.
  func kernelStarted(_ kernel: ChildProcess) async throws

  /// A signal reached the bridge (and, from Jupyter, the kernel's group).
  func signalReceived(_ event: SignalEvent) async throws

  /// Asked only when the kernel's end looks like a death: whether the kernel
  /// announced a shutdown on IOPub (`shutdown_reply`, xeus' `shutdown`). Drain
  /// what IOPub still holds first; the answer is awaited only briefly.
  func shutdownSeenOnIOPub() async throws -> Bool

  /// The kernel ended. Send the final state (and the death alert when
  /// `exit.verdict` says so), then return; the bridge exits right after.
  func kernelExited(_ exit: KernelExit) async throws
}
