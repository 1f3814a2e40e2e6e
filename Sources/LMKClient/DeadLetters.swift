import Foundation
import OutsideFiles

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Events taken out of the outbox without a 2xx: LMK rejected them for good (a
/// well-formed 4xx other than 401/408/409/429), the entry was unreadable, or the outbox
/// overflowed. Never deleted: each is a 0600 JSON file `{"reason", "at", "event"}` in
/// `dead-letter/` beside the outbox, named like its entry, for the user to inspect.
public struct DeadLetter: Sendable, Equatable {
  public let name: String
  public let path: String
  /// Why it was taken out of the queue (an `LMKError` description: no token in it).
  public let reason: String
  /// When (ISO 8601 UTC).
  public let at: String
  /// The event as it was stored (nil when the entry was not JSON).
  let eventJSON: Data?

  /// The stored event as a JSON object.
  public var event: [String: Any]? {
    eventJSON.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
  }
}

extension Outbox {
  /// `dead-letter/` beside the outbox folder.
  public var deadLetterDirectory: String { "\(dataDirectory)/dead-letter" }

  /// Moves `entry` (claimed by the caller) to the dead letters with `reason`; the entry
  /// leaves the outbox only once its dead letter is on disk.
  @discardableResult
  func moveToDeadLetters(_ entry: Entry, reason: String) -> Bool {
    let original = read(entry)
    let event = original.flatMap { try? JSONSerialization.jsonObject(with: $0) }
    var letter: [String: Any] = ["reason": reason, "at": Date().iso8601Milliseconds]
    letter["event"] = event ?? NSNull()
    if event == nil, let original {
      letter["raw"] = String(decoding: original.prefix(4096), as: UTF8.self)
    }
    do {
      let data = try JSONSerialization.data(withJSONObject: letter, options: [.sortedKeys])
      try makeDirectory(deadLetterDirectory, mode: 0o700)
      try writeAtomically(data, to: "\(deadLetterDirectory)/\(entry.name)", mode: 0o600)
    } catch {
      logger.error(
        "could not move LMK outbox entry \(entry.name) to \(deadLetterDirectory) (\(error)); it stays in the outbox"
      )
      return false
    }
    remove(entry)
    return true
  }

  /// The dead letters, oldest first.
  public func deadLetters() -> [DeadLetter] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: deadLetterDirectory)) ?? []
    return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { name in
      let path = "\(deadLetterDirectory)/\(name)"
      let object =
        (try? BoundedFileRead.contents(ofRegularFile: path, limit: Self.entryLimit)).flatMap {
          try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
        } ?? [:]
      let event = object["event"].flatMap { $0 is NSNull ? nil : $0 }.flatMap {
        try? JSONSerialization.data(withJSONObject: $0)
      }
      return DeadLetter(
        name: name, path: path, reason: object["reason"] as? String ?? "(unreadable dead letter)",
        at: object["at"] as? String ?? "", eventJSON: event)
    }
  }
}

extension Date {
  /// ISO 8601 UTC with milliseconds, as the LMK API writes times.
  var iso8601Milliseconds: String {
    formatted(
      .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
        .timeSeparator(.colon))
  }
}
