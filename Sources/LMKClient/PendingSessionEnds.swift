import Foundation

/// Session ends LMK has not confirmed, kept durably like events (`<stamp>-….end` files
/// in the outbox holding `{"sessionId"}`) so a later bridge ends the session: otherwise it
/// would look alive in the app for good.
public struct PendingSessionEnd: Sendable, Equatable {
  public let entry: Outbox.Entry
  public let sessionID: String
}

extension Outbox {
  /// Stores the end of `sessionID` for a later attempt; false when it could not be written.
  func addEnd(sessionID: String) -> Bool {
    do {
      try makeDirectory(directory, mode: 0o700)
      let data = try JSONEncoder().encode(["sessionId": sessionID])
      try writeAtomically(data, to: newEntry(suffix: "end").path, mode: 0o600)
      return true
    } catch {
      logger.error("could not keep the end of LMK session \(sessionID) for later: \(error)")
      return false
    }
  }

  /// Ends waiting to be sent, oldest first.
  public func pendingEnds() -> [PendingSessionEnd] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".end") && !$0.hasPrefix(".") }.sorted().compactMap { name in
      let entry = Entry(name: name, path: "\(directory)/\(name)")
      guard let data = read(entry),
        let object = try? JSONDecoder().decode([String: String].self, from: data),
        let id = object["sessionId"], !id.isEmpty
      else { return nil }
      return PendingSessionEnd(entry: entry, sessionID: id)
    }
  }
}
