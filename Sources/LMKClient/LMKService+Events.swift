import Foundation
import Logging

extension LMKService {
  /// What became of an event handed to `postEvent`.
  public enum EventDelivery: Sendable, Equatable {
    /// LMK acknowledged it.
    case delivered(eventID: String)
    /// Kept in the outbox after a transient failure; a later `deliverPending` sends it.
    case queued(reason: LMKError)
  }

  /// Counts from one pass over the outbox.
  public struct OutboxReport: Sendable, Equatable {
    public var delivered = 0
    /// Entries still waiting (failed now, or being sent by another process).
    public var remaining = 0
    /// Entries LMK rejected for good (4xx other than 401/408/429), deleted with a warning.
    public var rejected = 0
  }

  /// Stores the event durably, then sends it. Throws only when it cannot be stored or
  /// LMK rejects it for good; transient failures leave it queued.
  public func postEvent(_ event: Event, budget: RetryPolicy? = nil) async throws -> EventDelivery {
    let payload: Data
    do { payload = try JSONEncoder().encode(event) } catch {
      throw LMKError.invalidResponse(
        operation: "postEvent", message: "cannot encode the event: \(error)")
    }
    let (entry, claim) = try outbox.add(payload)
    defer { claim.release() }
    return try await send(event, entry: entry, budget: budget)
  }

  /// Sends what this or earlier processes left in the outbox, oldest first; entries another
  /// process is sending right now are skipped. Stops at the first transient failure.
  public func deliverPending(budget: RetryPolicy? = nil) async -> OutboxReport {
    var report = OutboxReport()
    var blocked = false
    for entry in outbox.pending() {
      guard !blocked, let claim = outbox.claim(entry) else {
        report.remaining += 1
        continue
      }
      defer { claim.release() }
      guard let data = outbox.read(entry),
        let event = try? JSONDecoder().decode(Event.self, from: data)
      else {
        logger.warning("LMK outbox entry \(entry.name) is unreadable; deleting it")
        outbox.remove(entry)
        report.rejected += 1
        continue
      }
      do {
        switch try await send(event, entry: entry, budget: budget) {
        case .delivered: report.delivered += 1
        case .queued:
          report.remaining += 1
          blocked = true
        }
      } catch {
        report.rejected += 1
      }
    }
    return report
  }

  /// Sends one claimed entry and settles it: removed on 2xx or permanent rejection, kept otherwise.
  private func send(_ event: Event, entry: Outbox.Entry, budget: RetryPolicy?) async throws
    -> EventDelivery
  {
    do {
      let response = try await call("postEvent", budget) {
        switch try await client.postEvent(body: .json(event)) {
        case .created(let created): return try created.body.json
        case .undocumented(let status, let payload):
          throw await failure("postEvent", status, payload)
        }
      }
      outbox.remove(entry)
      return .delivered(eventID: response.eventId)
    } catch let error as LMKError {
      if error.isTransient {
        logger.notice("LMK event kept in the outbox (\(entry.name)): \(error)")
        return .queued(reason: error)
      }
      logger.warning("LMK rejected event \(entry.name) for good; deleting it: \(error)")
      outbox.remove(entry)
      throw error
    }
  }
}
