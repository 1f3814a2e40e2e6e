import Foundation
import Logging
import OutsideFiles

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A directory of events not yet acknowledged by LMK. Each event is written and fsynced
/// before its first attempt and unlinked only after a 2xx, so a bridge that dies (or a
/// network that is down) loses nothing: a later process sends what is left, oldest first.
/// Every entry is claimed with `flock` while it is sent, so two bridges never send the
/// same entry at once. Nothing is ever deleted unsent: an event LMK rejects for good, an
/// unreadable entry, or the oldest beyond `capacity` moves to the dead-letter folder
/// (`DeadLetters.swift`), which `jupyter-lmk status` reports.
public struct Outbox: Sendable {
  public let directory: String
  public let capacity: Int
  let logger: Logger

  public init(directory: String, capacity: Int = 1000, logger: Logger) {
    self.directory = directory
    self.capacity = max(1, capacity)
    self.logger = logger
  }

  /// `$XDG_DATA_HOME/jupyter-lmk/outbox`, else `~/.local/share/jupyter-lmk/outbox`.
  public static func defaultDirectory(environment: [String: String]) -> String {
    if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
      return "\(data)/jupyter-lmk/outbox"
    }
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return "\(home)/.local/share/jupyter-lmk/outbox"
  }

  /// One stored event; names sort by creation time.
  public struct Entry: Sendable, Equatable {
    public let name: String
    public var path: String
  }

  /// The folder that holds the outbox, the dead letters and the last delivery error.
  var dataDirectory: String { (directory as NSString).deletingLastPathComponent }

  /// A new entry name that sorts by creation time: `<ns since 1970>-<pid>-<random>.<suffix>`.
  func newEntry(suffix: String) -> Entry {
    // A clock set before 1970 (or absurdly late) must not trap: clamp, do not convert blindly.
    let nanos = UInt64(clampingSeconds: Date().timeIntervalSince1970, scale: 1_000_000_000)
    let stamp = String(nanos).leftPadded(to: 20)
    let name =
      "\(stamp)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16)).\(suffix)"
    return Entry(name: name, path: "\(directory)/\(name)")
  }

  /// Durably stores `payload` and returns its entry, already claimed by this process.
  func add(_ payload: Data) throws -> (Entry, FileLock) {
    try makeDirectory(directory, mode: 0o700)
    let entry = newEntry(suffix: "json")
    // Claimed before it appears under its final name, so no other bridge picks it up.
    guard let claim = try writeAtomically(payload, to: entry.path, mode: 0o600, locked: true) else {
      throw LMKError.file(path: entry.path, message: "could not claim the new outbox entry")
    }
    trim()
    return (entry, claim)
  }

  /// Entries left by this or earlier processes, oldest first.
  public func pending() -> [Entry] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map {
      Entry(name: $0, path: "\(directory)/\($0)")
    }
  }

  /// Claims `entry` for sending; nil if another process is sending it or it is gone.
  func claim(_ entry: Entry) -> FileLock? {
    guard let lock = try? FileLock.tryLock(path: entry.path, create: false) else { return nil }
    if lock.isUnlinked {
      lock.release()
      return nil
    }
    return lock
  }

  /// The entry's bytes (size-capped: an entry is one event, never megabytes).
  func read(_ entry: Entry) -> Data? {
    try? BoundedFileRead.contents(ofRegularFile: entry.path, limit: Self.entryLimit)
  }

  static let entryLimit = 1 << 20

  /// Deletes a delivered entry (or one kept elsewhere now); call while holding its claim.
  func remove(_ entry: Entry) {
    unlink(entry.path)
    syncDirectory(directory)
  }

  private func trim() {
    let entries = pending()
    guard entries.count > capacity else { return }
    for entry in entries.prefix(entries.count - capacity) {
      guard let lock = claim(entry) else { continue }
      logger.warning(
        "LMK outbox holds more than \(capacity) events: moving the oldest, \(entry.name), to \(deadLetterDirectory)"
      )
      moveToDeadLetters(entry, reason: "the outbox held more than \(capacity) undelivered events")
      lock.release()
    }
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
