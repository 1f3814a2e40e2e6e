/// The part of a verified IOPub message that the bridge acts on.
///
/// Produced by the wire decoder (`JupyterProtocol`), consumed by the state machine
/// (`BridgeCore`). Output messages (stream, display_data, execute_result…) arrive as
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

  /// A digest of the header's `session`: the kernel process that sent the message (a
  /// restarted kernel has a new one); nil when absent, and for output (`.other`).
  public var kernelSession: UInt64?

  public init(
    content: Content, parentMsgId: String? = nil, parentMsgType: String? = nil,
    subshellId: String? = nil, date: KernelTime? = nil, kernelSession: UInt64? = nil
  ) {
    self.content = content
    self.parentMsgId = parentMsgId
    self.parentMsgType = parentMsgType
    self.subshellId = subshellId
    self.date = date
    self.kernelSession = kernelSession
  }
}
