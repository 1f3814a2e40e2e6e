import Foundation

extension LMKService {
  /// Stores an event durably in the outbox without sending it; `deliverPending`
  /// sends it later. The bridge calls this on its IOPub thread, where a run just
  /// ended: the alert is on disk before any network is touched.
  public func enqueueEvent(_ event: Event) throws {
    let payload: Data
    do { payload = try JSONEncoder().encode(event) } catch {
      throw LMKError.invalidResponse(
        operation: "postEvent", message: "cannot encode the event: \(error)")
    }
    let (_, claim) = try outbox.add(payload)
    claim.release()
  }
}
