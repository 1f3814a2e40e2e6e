import Foundation

extension LMKService {
  /// Stores an event durably in the outbox without sending it; `deliverPending`
  /// sends it later. The bridge calls this on its IOPub thread, where a run just
  /// ended: the alert is on disk before any network is touched.
  public func enqueueEvent(_ event: Event) throws {
    try store(event).1.release()
  }

  /// Writes the event to the outbox (fsynced) and returns its entry, claimed by this process.
  func store(_ event: Event) throws -> (Outbox.Entry, FileLock) {
    let payload: Data
    do { payload = try JSONEncoder().encode(event) } catch {
      throw LMKError.invalidResponse(
        operation: "postEvent", message: "cannot encode the event: \(error)")
    }
    return try outbox.add(payload)
  }
}
