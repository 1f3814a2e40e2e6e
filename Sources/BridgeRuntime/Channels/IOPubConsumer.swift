import ExecutionCore
import JupyterProtocol

/// What the IOPub receive loop drives. It lives on the loop's thread only, so
/// it needs no locks: messages, posted inputs and clock ticks arrive in order.
public protocol IOPubConsumer: AnyObject, SendableMetatype {
  /// Values other threads post to the loop (signals, heartbeat, child exit…).
  associatedtype Input: Sendable

  func receive(_ message: IOPubMessage, at now: ClockReading)
  func receive(_ input: Input, at now: ClockReading)
  /// A message failed verification or decoding and was dropped.
  func dropped(_ reason: DropReason, at now: ClockReading)
  /// Called once `nextDeadline` has passed.
  func tick(at now: ClockReading)
  /// When the loop must call `tick` next; nil = only when something arrives.
  var nextDeadline: ClockReading? { get }
  /// Why the loop ended, handed back by `IOPubListener.wait()`.
  associatedtype Ending: Sendable
  /// nil while the loop must go on; the loop stops after the call that sets it.
  var ending: Ending? { get }
}
