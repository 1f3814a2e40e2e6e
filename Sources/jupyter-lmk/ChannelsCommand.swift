import ArgumentParser
import Foundation
import LMKClient

/// `jupyter-lmk channels`: the ids to use in `notifyChannel` settings and directives.
struct ChannelsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "channels",
    abstract: "List your LMK notification channels (* marks the default).")

  func run() async throws {
    do {
      let service = try LMKCommandSupport.service()
      let channels = try await service.listChannels(budget: .interactive)
      guard !channels.isEmpty else {
        print("No notification channels (the token may lack the channel.read scope).")
        return
      }
      let rows = channels.map { channel in
        [
          channel.isDefault ? "*" : " ", channel.notificationChannelId,
          ChannelKind(channel.payload).name, channel.name,
        ]
      }
      let header = [" ", "ID", "TYPE", "NAME"]
      let widths = (0..<header.count).map { column in
        ([header] + rows).map { $0[column].count }.max() ?? 0
      }
      for row in [header] + rows {
        let cells = row.enumerated().map { index, cell in
          index == row.count - 1
            ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
      }
    }
  }
}

/// The channel type as the API spells it.
private struct ChannelKind {
  let name: String

  init(_ payload: LMKService.Channel.payloadPayload) {
    switch payload {
    case .email: name = "email"
    case .text_hyphen_message: name = "text-message"
    case .web_hyphen_push: name = "web-push"
    }
  }
}
