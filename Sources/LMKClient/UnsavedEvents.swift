import Foundation
import Logging

/// Events the outbox could not store (disk full, read-only), held in memory for as long
/// as the process lives: durable when possible, delivered always. Bounded like the outbox.
extension LMKService {
  static let unsavedLimit = 1000

  /// Events held only in memory.
  public var unsavedEventCount: Int { unsaved.withLock { $0.count } }

  /// Sends an event that exists only in memory (the outbox could not store it); the
  /// caller takes it out of `unsaved` once it is settled (delivered or rejected).
  func sendUnsaved(_ event: Event, budget: RetryPolicy?) async throws -> EventDelivery {
    do {
      return .delivered(eventID: try await transmit(event, budget: budget))
    } catch let error as LMKError {
      guard error.isDefinitiveRejection else {
        trimUnsaved()
        logger.notice("LMK event kept in memory (the outbox cannot be written): \(error)")
        return .queued(reason: error)
      }
      logger.error(
        "LMK rejected an event for good and the dead letters cannot be written either: \(error); message: \(event.message)"
      )
      throw error
    }
  }

  /// Sends the memory-only events, oldest first; stops at the first failure.
  func deliverUnsaved(
    _ report: inout OutboxReport, blocked: inout Bool, budget: RetryPolicy?,
    prepare: (Event) -> Event
  ) async {
    for event in unsaved.withLock({ $0 }) {
      if blocked || RetryMiddleware.isInterrupted {
        report.remaining += 1
        continue
      }
      do {
        switch try await sendUnsaved(prepare(event), budget: budget) {
        case .delivered: report.delivered += 1
        case .queued:
          report.remaining += 1
          blocked = true
        }
      } catch {
        report.rejected += 1
      }
      // Settled (delivered or rejected): the original leaves memory.
      if !blocked { forgetUnsaved(event) }
    }
  }

  func forgetUnsaved(_ event: Event) {
    unsaved.withLock { list in
      if let index = list.firstIndex(of: event) { list.remove(at: index) }
    }
  }

  private func trimUnsaved() {
    let dropped = unsaved.withLock { list -> Int in
      let excess = max(0, list.count - Self.unsavedLimit)
      list.removeFirst(excess)
      return excess
    }
    if dropped > 0 {
      logger.error(
        "more than \(Self.unsavedLimit) notifications held in memory: dropped \(dropped)")
    }
  }
}
