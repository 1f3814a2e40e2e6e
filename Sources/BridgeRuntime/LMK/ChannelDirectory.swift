import LMKClient

/// Resolves what a user wrote for a channel (`notifyChannel`, `channel=` in a
/// directive) to an LMK channel id: an id as is, a channel's name (any case),
/// or a channel type (`email`, `sms`/`text-message`, `push`/`web-push`: the
/// first channel of that type, the default one first).
struct ChannelDirectory: Sendable {
  private var ids: Set<String> = []
  private var byName: [String: String] = [:]
  private var byType: [String: String] = [:]
  private var loaded = false

  init() {}

  init(_ channels: [LMKService.Channel]) {
    loaded = true
    let ordered = channels.sorted {
      ($0.isDefault ? 0 : 1, $0.order) < ($1.isDefault ? 0 : 1, $1.order)
    }
    for channel in ordered {
      ids.insert(channel.notificationChannelId)
      byName[channel.name.lowercased()] =
        byName[channel.name.lowercased()] ?? channel.notificationChannelId
      for alias in Self.typeAliases(channel.payload) where byType[alias] == nil {
        byType[alias] = channel.notificationChannelId
      }
    }
  }

  /// The channel id for a reference; nil when the channels are known and none matches.
  /// Before the list has been fetched a reference is passed on as an id.
  func id(for reference: String) -> String? {
    guard loaded else { return reference }
    if ids.contains(reference) { return reference }
    let key = reference.lowercased()
    return byName[key] ?? byType[key]
  }

  private static func typeAliases(_ payload: LMKService.Channel.payloadPayload) -> [String] {
    switch payload {
    case .email: ["email"]
    case .text_hyphen_message: ["text-message", "sms", "text"]
    case .web_hyphen_push: ["web-push", "push"]
    }
  }
}
