import ExecutionCore
import JupyterProtocol

@testable import BridgeRuntime

/// A session sink that does what `LMKSessionSink` does with each call before
/// it reaches the network: map the snapshot to the API's state, render the
/// notification (encoding the request body cannot fail on content, and
/// would cost most of the time of an input).
struct RenderingSink: SessionSink {
  func publish(_ snapshot: SessionSnapshot) {
    _ = SessionStateMapping.full(
      snapshot, notebookName: "fuzz.ipynb", url: nil, channels: ChannelDirectory())
  }

  func notify(_ intent: NotificationIntent, context: NotificationContext) {
    _ = SessionStateMapping.event(for: intent, context: context, sessionId: "fuzz-session")
  }

  func finish(withinMilliseconds milliseconds: Int64) {}
}
