import Foundation
import Logging

extension LMKService {
  /// What became of an event handed to `postEvent`.
  public enum EventDelivery: Sendable, Equatable {
    /// LMK acknowledged it.
    case delivered(eventID: String)
    /// Kept (in the outbox, or in memory when the outbox cannot be written) after a
    /// failure that is not a definitive rejection; a later `deliverPending` sends it.
    case queued(reason: LMKError)
  }

  /// Counts from one pass over the outbox.
  public struct OutboxReport: Sendable, Equatable {
    public var delivered = 0
    /// Entries still waiting (failed now, or being sent by another process).
    public var remaining = 0
    /// Entries moved to the dead letters: rejected for good (a 4xx other than
    /// 401/408/409/429) or unreadable.
    public var rejected = 0
    /// Session ends kept by an earlier attempt that LMK has now confirmed.
    public var sessionsEnded = 0

    public init(delivered: Int = 0, remaining: Int = 0, rejected: Int = 0, sessionsEnded: Int = 0) {
      self.delivered = delivered
      self.remaining = remaining
      self.rejected = rejected
      self.sessionsEnded = sessionsEnded
    }
  }

  /// Stores the event durably (in memory when the outbox cannot be written), then sends
  /// it. Throws only when LMK rejects it for good (it is then in the dead letters).
  public func postEvent(_ event: Event, budget: RetryPolicy? = nil) async throws -> EventDelivery {
    guard let (entry, claim) = storeOrKeep(event) else {
      do {
        let delivery = try await sendUnsaved(event, budget: budget)
        if case .delivered = delivery { forgetUnsaved(event) }
        return delivery
      } catch {
        forgetUnsaved(event)
        throw error
      }
    }
    defer { claim.release() }
    return try await send(event, entry: entry, budget: budget)
  }

  /// Sends what this or earlier processes left in the outbox, oldest first, then the
  /// events only held in memory, then session ends kept for later; entries another
  /// process is sending right now are skipped. Stops at the first failure that is not a
  /// definitive rejection. `prepare` adjusts each stored event just before it is sent: an
  /// event stored while LMK was unreachable may name what only LMK can resolve (a channel
  /// by name).
  public func deliverPending(
    budget: RetryPolicy? = nil, preparing prepare: (Event) -> Event = { $0 }
  ) async -> OutboxReport {
    var report = OutboxReport()
    var blocked = false
    for entry in outbox.pending() {
      guard !blocked, !RetryMiddleware.isInterrupted, let claim = outbox.claim(entry) else {
        report.remaining += 1
        continue
      }
      defer { claim.release() }
      guard let data = outbox.read(entry),
        let event = try? JSONDecoder().decode(Event.self, from: data)
      else {
        logger.warning(
          "LMK outbox entry \(entry.name) is unreadable; moving it to \(outbox.deadLetterDirectory)"
        )
        if outbox.moveToDeadLetters(entry, reason: "unreadable outbox entry") {
          report.rejected += 1
        } else {
          report.remaining += 1
        }
        continue
      }
      do {
        switch try await send(prepare(event), entry: entry, budget: budget) {
        case .delivered: report.delivered += 1
        case .queued:
          report.remaining += 1
          blocked = true
        }
      } catch let error as LMKError where error.isDefinitiveRejection {
        report.rejected += 1
      } catch {
        report.remaining += 1  // cancelled: the entry stays
        blocked = true
      }
    }
    await deliverUnsaved(&report, blocked: &blocked, budget: budget, prepare: prepare)
    if !blocked { await sendPendingEnds(&report, budget: budget) }
    return report
  }

  /// Sends one claimed entry and settles it: removed on 2xx, moved to the dead letters
  /// on a definitive rejection, kept otherwise.
  private func send(_ event: Event, entry: Outbox.Entry, budget: RetryPolicy?) async throws
    -> EventDelivery
  {
    do {
      let eventID = try await transmit(event, budget: budget)
      outbox.remove(entry)
      return .delivered(eventID: eventID)
    } catch let error as LMKError {
      guard error.isDefinitiveRejection else {
        logger.notice("LMK event kept in the outbox (\(entry.name)): \(error)")
        return .queued(reason: error)
      }
      logger.warning(
        "LMK rejected event \(entry.name) for good; moving it to \(outbox.deadLetterDirectory): \(error)"
      )
      outbox.moveToDeadLetters(entry, reason: "\(error)")
      throw error
    }
  }

  /// One `postEvent` request with its retries; the event id on any 2xx. Failures are
  /// recorded as the last delivery error (TLS ones also logged as a configuration error).
  func transmit(_ event: Event, budget: RetryPolicy?) async throws -> String {
    do {
      return try await call("postEvent", budget) {
        switch try await client.postEvent(body: .json(event)) {
        case .created(let created):
          // A 2xx is an acknowledgement even when its body is not what the contract says.
          return (try? created.body.json.eventId) ?? "(unreadable answer)"
        case .undocumented(let status, _) where (200..<300).contains(status):
          return "(HTTP \(status))"
        case .undocumented(let status, let payload):
          throw await failure("postEvent", status, payload)
        }
      }
    } catch let error as LMKError {
      if error.isConfigurationProblem {
        logger.error(
          "LMK TLS failure, a configuration problem (certificate, CA bundle, proxy); the event is kept: \(error)"
        )
      }
      outbox.recordDeliveryError(error, operation: "postEvent")
      throw error
    }
  }
}
