import Foundation
import Logging

extension LMKService {
  /// Ends the session, and when LMK cannot confirm it now keeps the end durably (a
  /// `.end` entry in the outbox) for `deliverPending` here or in a later bridge: a
  /// session is always ended. True when LMK confirmed (or the session was already ended).
  public func endSessionOrKeep(id: String, budget: RetryPolicy? = nil) async -> Bool {
    do {
      try await endSession(id: id, budget: budget)
      return true
    } catch let error as LMKError where error.isDefinitiveRejection {
      logger.warning("LMK refused to end session \(id) for good: \(error)")
      return true
    } catch {
      logger.warning(
        "LMK session \(id) could not be ended now (\(error)); kept for a later attempt")
      _ = outbox.addEnd(sessionID: id)
      return false
    }
  }

  /// Sends the ends an earlier attempt kept; stops at the first failure to retry later.
  func sendPendingEnds(_ report: inout OutboxReport, budget: RetryPolicy?) async {
    for end in outbox.pendingEnds() {
      guard !RetryMiddleware.isInterrupted, let claim = outbox.claim(end.entry) else { continue }
      defer { claim.release() }
      do {
        try await endSession(id: end.sessionID, budget: budget)
        report.sessionsEnded += 1
        outbox.remove(end.entry)
      } catch let error as LMKError where error.isDefinitiveRejection {
        logger.info("LMK session \(end.sessionID) cannot be ended (\(error)); forgetting the end")
        outbox.remove(end.entry)
      } catch {
        return
      }
    }
  }
}
