import Foundation
import LMKClient
import Logging
import Synchronization
import ExecutionCore

/// The sink that mirrors the session into LMK and sends the notifications.
///
/// Calls from the IOPub thread only record what is due (the newest state; an
/// event written durably to the outbox) and ring a doorbell; one worker task
/// does the HTTP. While a request is in flight only the newest state waits, so
/// updates are coalesced (latest wins, one in flight) and the final state is
/// the last one sent. A 409 means the user ended the session in the app:
/// updates stop, notifications still go out (without `sessionId`).
public final class LMKSessionSink: SessionSink {
  private struct Due: Sendable {
    var state: SessionSnapshot?
    var events = false
    var finishing = false
  }

  private struct Known: Sendable {
    var sessionId: String?
    var channels = ChannelDirectory()
  }

  private let service: LMKService
  private let notebookName: String
  private let url: String?
  private let logger: Logger
  private let due = Mutex(Due())
  private let known = Mutex(Known())
  private let doorbell: AsyncStream<Void>.Continuation
  private let finished = DispatchSemaphore(value: 0)
  private let onSessionCreated: @Sendable (String) -> Void

  /// Requests made while wrapping up must fit in the bridge's exit deadline.
  static let wrapUpBudget = RetryPolicy.shutdown
  /// After a failed request, try again this much later even if nothing new happens.
  static let retryDelay: Duration = .seconds(5)

  /// - Parameters:
  ///   - adoptedSessionId: a session an earlier monitor of this kernel created
  ///     (a monitor restarted after a crash reports to the same session).
  ///   - onSessionCreated: told the id of a session this sink creates.
  public init(
    service: LMKService, notebookName: String, url: String?, logger: Logger,
    adoptedSessionId: String? = nil,
    onSessionCreated: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.service = service
    self.notebookName = notebookName
    self.url = url
    self.logger = logger
    self.onSessionCreated = onSessionCreated
    known.withLock { $0.sessionId = adoptedSessionId }
    let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    doorbell = continuation
    // Events an earlier bridge could not deliver go out now.
    due.withLock { $0.events = true }
    continuation.yield()
    Task.detached { [self] in await self.work(stream, session: adoptedSessionId) }
  }

  public func publish(_ snapshot: SessionSnapshot) {
    due.withLock { $0.state = snapshot }
    doorbell.yield()
  }

  public func notify(_ intent: NotificationIntent, context: NotificationContext) {
    let (sessionId, channels) = known.withLock { ($0.sessionId, $0.channels) }
    let channelId = intent.notifyChannel.flatMap { channels.id(for: $0) }
    if let wanted = intent.notifyChannel, channelId == nil {
      logger.warning("no LMK notification channel '\(wanted)'; using the account's default")
    }
    let values = NotificationRenderer.eventRequest(
      for: intent, context: context, sessionId: sessionId, channelId: channelId)
    do {
      // Durable before the first attempt: a bridge that dies now loses nothing.
      try service.enqueueEvent(SessionStateMapping.event(values))
    } catch {
      logger.error("could not store the notification: \(error)")
      return
    }
    Failpoint.notification.hit()
    due.withLock { $0.events = true }
    doorbell.yield()
  }

  public func finish(withinMilliseconds milliseconds: Int64) {
    due.withLock { $0.finishing = true }
    doorbell.yield()
    if finished.wait(timeout: .now() + .milliseconds(Int(milliseconds))) == .timedOut {
      logger.warning("LMK did not answer in time; undelivered notifications stay in the outbox")
    }
  }

  // MARK: Worker

  private func work(_ doorbell: AsyncStream<Void>, session adopted: String?) async {
    var session = SessionProgress(id: adopted)
    for await _ in doorbell {
      await loadChannelsOnce(&session)
      while true {
        let now = due.withLock { current -> Due in
          defer {
            current.state = nil
            current.events = false
          }
          return current
        }
        let budget = now.finishing ? Self.wrapUpBudget : nil
        var failed = false
        if let state = now.state, !(await send(state, &session, budget: budget)) {
          failed = true
          due.withLock { if $0.state == nil { $0.state = state } }
        }
        if now.events {
          let channels = known.withLock { $0.channels }
          let report = await service.deliverPending(budget: budget) {
            SessionStateMapping.resolvingChannels($0, channels)
          }
          if report.remaining > 0 {
            failed = true
            due.withLock { $0.events = true }
          }
        }
        if now.finishing {
          if let id = session.id, !session.gone {
            try? await service.endSession(id: id, budget: Self.wrapUpBudget)
          }
          finished.signal()
          return
        }
        if failed {
          scheduleRetry()
          break
        }
        if due.withLock({ $0.state == nil && !$0.events && !$0.finishing }) { break }
      }
    }
  }

  private struct SessionProgress {
    var id: String?
    var gone = false
    var channelsLoaded = false
  }

  private func loadChannelsOnce(_ session: inout SessionProgress) async {
    guard !session.channelsLoaded else { return }
    do {
      let channels = try await service.listChannels(budget: Self.wrapUpBudget)
      known.withLock { $0.channels = ChannelDirectory(channels) }
      session.channelsLoaded = true
    } catch {
      logger.debug("could not list LMK channels yet: \(error)")
    }
  }

  /// Creates the session or updates it; false when the request failed for now.
  private func send(
    _ state: SessionSnapshot, _ session: inout SessionProgress, budget: RetryPolicy?
  )
    async -> Bool
  {
    guard !session.gone else { return true }
    let channels = known.withLock { $0.channels }
    do {
      if let id = session.id {
        let partial = SessionStateMapping.partial(
          state, notebookName: notebookName, url: url, channels: channels)
        try await service.updateSession(id: id, state: partial, budget: budget)
      } else {
        let full = SessionStateMapping.full(
          state, notebookName: notebookName, url: url, channels: channels)
        let created = try await service.createSession(
          name: notebookName, state: full, budget: budget)
        session.id = created.sessionId
        known.withLock { $0.sessionId = created.sessionId }
        onSessionCreated(created.sessionId)
        logger.info("LMK session \(created.sessionId) created for \(notebookName)")
      }
      return true
    } catch LMKError.sessionEnded {
      logger.info("the LMK session was ended in the app; notifications continue without it")
      session.gone = true
      known.withLock { $0.sessionId = nil }
      return true
    } catch {
      logger.warning("LMK session update failed: \(error)")
      return false
    }
  }

  private func scheduleRetry() {
    let bell = doorbell
    Task.detached {
      try? await Task.sleep(for: Self.retryDelay)
      bell.yield()
    }
  }
}
