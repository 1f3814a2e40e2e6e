/// What the runtime must do after an input, in order.
public enum CoreAction: Sendable, Equatable {
  /// The session state changed; this is the full current state (send it, coalesced).
  case publishState(SessionSnapshot)
  /// A run ended (or the kernel died) and the policy says: tell the user.
  case notify(NotificationIntent)
  /// A step of the cells' story, as the core saw it: the transcript formats it
  /// (attach: stdout; launcher: the debug log). Nothing is sent for it.
  case record(ExecutionEvent)
}

/// What happened to a cell or the kernel, as the core decided it: one source for
/// the transcript, so it never tracks cells on its own.
public enum ExecutionEvent: Sendable, Equatable {
  /// A cell began (its `execute_input`); `code` is bounded as the session's.
  case cellStarted(executionCount: Int, code: String)
  /// The cell reported its error (the first one; an interrupt is an error too).
  case cellReportedError(executionCount: Int, KernelError)
  /// The cell ended: at its `idle` (`idleSeen`), or because it can no longer finish
  /// (the next cell on its shell started, the kernel restarted or exited).
  case cellEnded(executionCount: Int, state: CellState, idleSeen: Bool)
  /// A cell's `# lmk:` directive had a key it ignored: the line says which and why.
  /// Worth a warning (a typo in a directive must not be silent), never fatal.
  case directiveIgnored(executionCount: Int, problem: String)
  /// The kernel announced its shutdown on IOPub.
  case shutdownAnnounced
  /// The kernel died (the first report since the last cell started).
  case kernelDied(KernelDeath)
  /// Launcher mode: the kernel's memory changed notably (`MemoryReading.isNotable(after:)`).
  case memoryChanged(MemoryReading)
}
