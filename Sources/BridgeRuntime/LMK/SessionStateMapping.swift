import ExecutionCore
import LMKClient

/// The core's `SessionSnapshot` as the LMK API's session states.
///
/// The contract has no nullable fields, so PATCH cannot clear one: nil fields
/// are left out (a starting cell sends `cellError` `""` and no `cellFinishedAt`,
/// docs/BEHAVIOUR.md, "Semantics"). Channel references become ids; an unknown one is left out.
enum SessionStateMapping {
  static func partial(
    _ snapshot: SessionSnapshot, notebookName: String, url: String?, channels: ChannelDirectory
  ) -> LMKService.PartialJupyterState {
    LMKService.PartialJupyterState(
      _type: .jupyter, url: url, notebookName: notebookName,
      shellState: snapshot.shellState.rawValue,
      cellState: snapshot.cellState?.rawValue, cellText: snapshot.cellText,
      cellError: snapshot.cellError,
      executionNum: snapshot.executionNum.map(Double.init),
      cellStartedAt: snapshot.cellStartedAt?.iso8601,
      cellFinishedAt: snapshot.cellFinishedAt?.iso8601, notifyOn: snapshot.notifyOn.rawValue,
      notifyChannel: snapshot.notifyChannel.flatMap { channels.id(for: $0) })
  }

  static func full(
    _ snapshot: SessionSnapshot, notebookName: String, url: String?, channels: ChannelDirectory
  ) -> LMKService.JupyterState {
    let p = partial(snapshot, notebookName: notebookName, url: url, channels: channels)
    return LMKService.JupyterState(
      _type: .jupyter, url: p.url, notebookName: p.notebookName, shellState: p.shellState,
      cellState: p.cellState, cellText: p.cellText, cellError: p.cellError,
      executionNum: p.executionNum,
      cellStartedAt: p.cellStartedAt, cellFinishedAt: p.cellFinishedAt,
      notifyOn: snapshot.notifyOn.rawValue,
      notifyChannel: p.notifyChannel)
  }

  /// The event that tells the user about `intent`: the renderer's message, and the
  /// channel as the user wrote it (`sms`, a channel's name, an id). It is stored so
  /// and resolved once, when it is sent (`resolvingChannels`): an event written while
  /// LMK was unreachable cannot know the account's channels yet.
  static func event(
    for intent: NotificationIntent, context: NotificationContext, sessionId: String?
  ) -> LMKService.Event {
    LMKService.Event(
      sessionId: sessionId, message: NotificationRenderer.markdown(for: intent, context: context),
      contentType: .text_sol_markdown,
      notificationConfig: .init(notify: true, channelIds: intent.notifyChannel.map { [$0] }))
  }

  /// The event as it goes out: each channel reference becomes an id. Once the list is
  /// known, a reference that matches nothing is left out (and named in `unknown`), so
  /// the event goes to the account's default channel rather than nowhere.
  static func resolvingChannels(
    _ event: LMKService.Event, _ channels: ChannelDirectory,
    unknown: (String) -> Void = { _ in }
  ) -> LMKService.Event {
    guard let references = event.notificationConfig?.channelIds else { return event }
    let ids = references.compactMap { reference in
      let id = channels.id(for: reference)
      if id == nil { unknown(reference) }
      return id
    }
    var resolved = event
    resolved.notificationConfig?.channelIds = ids.isEmpty ? nil : ids
    return resolved
  }
}
