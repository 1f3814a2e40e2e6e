import Foundation

extension LMKService {
  /// Stores an event durably in the outbox without sending it; `deliverPending` sends
  /// it later. The bridge calls this on its IOPub thread, where a run just ended: the
  /// alert is on disk before any network is touched. When the outbox cannot be written
  /// (disk full, read-only) the event is held in memory instead and the failure logged:
  /// false then.
  @discardableResult
  public func enqueueEvent(_ event: Event) -> Bool {
    guard let (_, claim) = storeOrKeep(event) else { return false }
    claim.release()
    return true
  }

  /// Writes the event to the outbox (fsynced) and returns its entry, claimed by this
  /// process; nil when it could not be written, and then it is held in memory.
  func storeOrKeep(_ event: Event) -> (Outbox.Entry, FileLock)? {
    do {
      return try outbox.add(try JSONEncoder().encode(event))
    } catch {
      logger.error(
        "could not store the notification in the outbox (\(error)); keeping it in memory and sending it from there"
      )
      unsaved.withLock { $0.append(event) }
      return nil
    }
  }
}
