import Foundation

@testable import JupyterBridge

/// A session sink that does what `LMKSessionSink` does with each call before
/// it reaches the network: map the snapshot to the API's state, render the
/// notification and encode it as the request body.
struct RenderingSink: SessionSink {
  func publish(_ snapshot: SessionSnapshot) {
    let state = SessionStateMapping.full(
      snapshot, notebookName: "fuzz.ipynb", url: nil, channels: ChannelDirectory())
    _ = try? JSONEncoder().encode(state)
  }

  func notify(_ intent: NotificationIntent, context: NotificationContext) {
    let values = NotificationRenderer.eventRequest(
      for: intent, context: context, sessionId: "fuzz-session", channelId: nil)
    _ = try? JSONEncoder().encode(SessionStateMapping.event(values))
  }

  func finish(withinMilliseconds milliseconds: Int64) {}
}
