/// The kernel's `execution_state` in a `status` message.
public enum ExecutionState: String, Sendable, Equatable {
  case starting, busy, idle
}
