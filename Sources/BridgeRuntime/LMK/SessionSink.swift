import ExecutionCore

/// Where the monitor's decisions go. Calls come from the IOPub thread and must
/// not block it: an implementation hands the work to a thread or task of its own.
public protocol SessionSink: Sendable {
  /// The session state changed (latest wins; the final state must arrive).
  func publish(_ snapshot: SessionSnapshot)
  /// Tell the user: the intent with what the message needs to say.
  func notify(_ intent: NotificationIntent, context: NotificationContext)
  /// Delivers what is pending and ends the session, giving up after `milliseconds`
  /// (what is not sent stays in the outbox for a later bridge). Blocks the caller.
  func finish(withinMilliseconds milliseconds: Int64)
}
