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
  /// This reading plus `delta`, saturating at the ends of `Int64` (a year-long grace
  /// from a config file never traps).
  public func adding(milliseconds delta: Int64) -> ClockReading {
    ClockReading(milliseconds: milliseconds.saturatingAdding(delta))
  }

  /// Milliseconds from `earlier` to this reading, saturating (never a trap).
  public func milliseconds(since earlier: ClockReading) -> Int64 {
    milliseconds.saturatingSubtracting(earlier.milliseconds)
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
    /// `executionCount` is 0 when the kernel sent none or one the bridge does not
    /// accept (`IOPubDecoder` accepts integers 0...Int32.max, also written "3" or 3.0).
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

extension Int64 {
  /// `self + other`, clamped to `Int64.min...Int64.max` instead of trapping.
  func saturatingAdding(_ other: Int64) -> Int64 {
    let (sum, overflow) = addingReportingOverflow(other)
    return overflow ? (other > 0 ? .max : .min) : sum
  }

  /// `self - other`, clamped to `Int64.min...Int64.max` instead of trapping.
  func saturatingSubtracting(_ other: Int64) -> Int64 {
    let (difference, overflow) = subtractingReportingOverflow(other)
    return overflow ? (other < 0 ? .max : .min) : difference
  }
}
