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

  /// An event stored before the channel list could be fetched (LMK unreachable) names its
  /// channel as the user wrote it (`sms`, a channel's name), which LMK rejects for good:
  /// resolve it when sending. Once the list is known, a channel that matches nothing is
  /// left out, so the event goes to the account's default channel rather than nowhere.
  static func resolvingChannels(_ event: LMKService.Event, _ channels: ChannelDirectory)
    -> LMKService.Event
  {
    guard let references = event.notificationConfig?.channelIds else { return event }
    let ids = references.compactMap { channels.id(for: $0) }
    var resolved = event
    resolved.notificationConfig?.channelIds = ids.isEmpty ? nil : ids
    return resolved
  }

  /// The renderer's plain values as the API's event request.
  static func event(_ values: EventRequestValues) -> LMKService.Event {
    LMKService.Event(
      sessionId: values.sessionId, message: values.message,
      contentType: LMKService.Event.contentTypePayload(rawValue: values.contentType),
      notificationConfig: .init(notify: values.notify, channelIds: values.channelIds))
  }
}
