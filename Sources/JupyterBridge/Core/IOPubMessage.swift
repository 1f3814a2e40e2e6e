/// A kernel message header date, in milliseconds since 1970-01-01 UTC.
///
/// Kernels stamp every header with an ISO 8601 date; the LMK session shows
/// the cell's start and end with millisecond precision, so that is what we keep.
public struct KernelTime: Comparable, Hashable, Sendable {
  public var millisecondsSince1970: Int64
  public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }
  public static func < (a: KernelTime, b: KernelTime) -> Bool {
    a.millisecondsSince1970 < b.millisecondsSince1970
  }
}

/// A reading of the bridge's monotonic clock, in milliseconds.
///
/// The core never reads a clock itself: every input carries the time it
/// happened, so idle grace and minimum durations are testable as plain values.
public struct ClockReading: Comparable, Hashable, Sendable {
  public var milliseconds: Int64
  public init(milliseconds: Int64) { self.milliseconds = milliseconds }
  public static func < (a: ClockReading, b: ClockReading) -> Bool {
    a.milliseconds < b.milliseconds
  }
  public func adding(milliseconds delta: Int64) -> ClockReading {
    ClockReading(milliseconds: milliseconds + delta)
  }
}

/// The kernel's `execution_state` in a `status` message.
public enum ExecutionState: String, Sendable, Equatable {
  case starting, busy, idle
}

/// The part of a verified IOPub message that the bridge acts on.
///
/// Produced by the wire decoder (Protocol/), consumed by the state machine
/// (Core/). Output messages (stream, display_data, execute_result…) arrive as
/// `.other` so their content is never decoded.
public struct IOPubMessage: Sendable, Equatable {
  public enum Content: Sendable, Equatable {
    case status(ExecutionState)
    case executeInput(code: String, executionCount: Int)
    case error(ename: String, evalue: String, traceback: [String])
    /// ipykernel's `shutdown_reply` broadcast or xeus' `shutdown` message.
    case shutdown
    /// JEP 65 `iopub_welcome` for the given subscription topic.
    case welcome(subscription: String)
    /// Any other message type (stream, display_data, comm traffic…).
    case other(msgType: String)
  }

  public var content: Content
  /// `msg_id` of the request this message answers; nil when the parent header is empty or null.
  public var parentMsgId: String?
  /// `msg_type` of that request (e.g. `execute_request`), nil when unknown.
  public var parentMsgType: String?
  /// JEP 91 subshell id from the header or parent header, nil for the main shell.
  public var subshellId: String?
  /// The header's `date`, nil when missing or unparsable.
  public var date: KernelTime?

  public init(
    content: Content, parentMsgId: String? = nil, parentMsgType: String? = nil,
    subshellId: String? = nil, date: KernelTime? = nil
  ) {
    self.content = content
    self.parentMsgId = parentMsgId
    self.parentMsgType = parentMsgType
    self.subshellId = subshellId
    self.date = date
  }
}
