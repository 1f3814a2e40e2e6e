import ExecutionCore
import Foundation
import LMKClient
import Logging
import Synchronization

/// The sink that mirrors the session into LMK and sends the notifications.
///
/// Calls from the IOPub thread only record what is due (the newest state; an
/// event written durably to the outbox) and ring a doorbell; one worker task
/// does the HTTP. While a request is in flight only the newest state waits, so
/// updates are coalesced (latest wins, one in flight) and the final state is
/// the last one sent. A 409 means the user ended the session in the app:
/// updates stop, notifications still go out (without `sessionId`).
///
/// Wrap-up (`finish`) follows `WrapUpPlan`: the retries of the pass in progress are
/// interrupted (its request in flight gets a short grace, then is aborted), then the
/// final state, then `endSession` (kept durably for a later bridge if LMK cannot confirm
/// it), and only then the events, which are already durable in the outbox.
public final class LMKSessionSink: SessionSink {
  private struct Due: Sendable {
    var state: SessionSnapshot?
    var events = false
    /// Set by `finish`: when the wrap-up began and how it spends its time.
    var wrapUp: (started: ContinuousClock.Instant, plan: WrapUpPlan)?
  }

  private struct Known: Sendable {
    var sessionId: String?
    var channels = ChannelDirectory()
  }

  private struct SessionProgress: Sendable {
    var id: String?
    var gone = false
    var channelsLoaded = false
    /// The `notifyOn` and channel LMK last accepted from this sink.
    var told = RemoteSessionSettings(notifyOn: nil, notifyChannel: nil)
  }

  private let service: any SessionBackend
  private let notebookName: String
  private let url: String?
  private let logger: Logger
  private let due = Mutex(Due())
  private let known = Mutex(Known())
  private let progress = Mutex(SessionProgress())
  private let doorbell: AsyncStream<Void>.Continuation
  private let finished = ThreadHandOff<Void>()
  private let onSessionCreated: @Sendable (String) -> Void
  /// A pass of the worker: its task, and its end for `finish` to wait on.
  private struct Pass: Sendable {
    var task: Task<Void, Never>
    var ended = ThreadHandOff<Void>()
  }
  /// The pass in progress (between wrap-ups), so `finish` can cut it short.
  private let pass = Mutex<Pass?>(nil)
  private let interruption = RetryInterruption()
  /// The session WebSocket: state updates go over it while it is open (PATCH otherwise).
  private let socket: SessionSocket?

  /// After a failed request, try again this much later even if nothing new happens.
  package static let retryDelay: Duration = .seconds(5)
  /// `retryDelay` unless a test asks for less.
  private let retryInterval: Duration

  /// The session this sink reports to; nil before it exists or once the user ended it.
  package var sessionId: String? { known.withLock { $0.sessionId } }

  /// - Parameters:
  ///   - adoptedSessionId: a session an earlier monitor of this kernel created
  ///     (a monitor restarted after a crash reports to the same session).
  ///   - onSessionCreated: told the id of a session this sink creates.
  public convenience init(
    service: LMKService, notebookName: String, url: String?, logger: Logger,
    adoptedSessionId: String? = nil, socket: SessionSocket? = nil,
    onSessionCreated: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.init(
      backend: service, notebookName: notebookName, url: url, logger: logger,
      adoptedSessionId: adoptedSessionId, socket: socket, onSessionCreated: onSessionCreated)
  }

  /// The sink over any backend (a fake in the tests); `retryDelay` is how long after a
  /// failed request it tries again.
  package init(
    backend: any SessionBackend, notebookName: String, url: String?, logger: Logger,
    adoptedSessionId: String? = nil, retryDelay: Duration = LMKSessionSink.retryDelay,
    socket: SessionSocket? = nil,
    onSessionCreated: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.service = backend
    self.socket = socket
    self.retryInterval = retryDelay
    self.notebookName = notebookName
    self.url = url
    self.logger = logger
    self.onSessionCreated = onSessionCreated
    known.withLock { $0.sessionId = adoptedSessionId }
    progress.withLock { $0.id = adoptedSessionId }
    if let adoptedSessionId { socket?.start(sessionId: adoptedSessionId) }
    let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    doorbell = continuation
    // Events (and session ends) an earlier bridge could not deliver go out now.
    due.withLock { $0.events = true }
    continuation.yield()
    Task.detached { [self] in await self.work(stream) }
  }

  public func publish(_ snapshot: SessionSnapshot) {
    due.withLock { $0.state = snapshot }
    doorbell.yield()
  }

  public func notify(_ intent: NotificationIntent, context: NotificationContext) {
    let sessionId = known.withLock { $0.sessionId }
    // Durable before the first attempt: a bridge that dies now loses nothing. When the
    // outbox cannot be written the service keeps the event in memory (and logs it).
    service.enqueueEvent(
      SessionStateMapping.event(for: intent, context: context, sessionId: sessionId))
    Failpoint.notification.hit()
    due.withLock { $0.events = true }
    doorbell.yield()
  }

  public func finish(withinMilliseconds milliseconds: Int64) {
    // The final state goes by PATCH, which LMK confirms; the socket closes without waiting.
    socket?.stop()
    let total = Duration.milliseconds(max(0, milliseconds))
    let plan = WrapUpPlan(total: total)
    let started = ContinuousClock.now
    due.withLock { $0.wrapUp = (started, plan) }
    interruption.interrupt()
    doorbell.yield()
    // The request in flight may finish (an acknowledged event is not sent twice); past
    // its grace it is aborted, so the end of the session still fits.
    if let current = pass.withLock({ $0 }), current.ended.wait(timeout: plan.inFlightGrace) == nil {
      current.task.cancel()
    }
    let left = total - (ContinuousClock.now - started)
    if finished.wait(timeout: left) == nil {
      logger.warning("LMK did not answer in time; undelivered notifications stay in the outbox")
    }
  }

  // MARK: Worker

  private func work(_ doorbell: AsyncStream<Void>) async {
    for await _ in doorbell {
      if let wrapUp = due.withLock({ $0.wrapUp }) {
        await self.wrapUp(started: wrapUp.started, plan: wrapUp.plan)
        finished.set(())
        return
      }
      let current = Pass(
        task: Task { await LMKService.interruptible(by: interruption) { await runPass() } })
      pass.withLock { $0 = current }
      await current.task.value
      pass.withLock { $0 = nil }
      current.ended.set(())
      if due.withLock({ $0.wrapUp != nil }) { self.doorbell.yield() }
    }
  }

  /// Sends what is due until nothing is, or a request fails (then a retry is scheduled).
  private func runPass() async {
    await loadChannelsOnce(budget: nil)
    while !interruption.isInterrupted {
      let now = due.withLock { current -> Due in
        defer {
          current.state = nil
          current.events = false
        }
        return current
      }
      var failed = false
      if let state = now.state, !(await send(state, budget: nil)) {
        failed = true
        due.withLock { if $0.state == nil { $0.state = state } }
      }
      if now.events {
        let report = await deliverPending(budget: nil)
        if report.remaining > 0 {
          failed = true
          due.withLock { $0.events = true }
        }
      }
      if failed {
        if !interruption.isInterrupted { scheduleRetry() }
        return
      }
      if due.withLock({ $0.state == nil && !$0.events }) { return }
    }
  }

  /// The final state (one attempt), the end of the session, then the events.
  private func wrapUp(started: ContinuousClock.Instant, plan: WrapUpPlan) async {
    if let state = due.withLock({ $0.state }) {
      _ = await send(state, budget: plan.state)
    }
    let session = progress.withLock { $0 }
    let report = await service.wrapUp(
      ending: session.gone ? nil : session.id, plan: plan, startedAt: started
    ) {
      // After the end: the channel list only matters to the events.
      await self.loadChannelsOnce(budget: plan.state)
      return self.eventPreparer()
    }
    if report.sessionEnded, let id = session.id { logger.info("LMK session \(id) ended") }
    if report.eventsRemaining > 0 {
      logger.notice(
        "\(report.eventsRemaining) LMK notification(s) left in the outbox for a later bridge")
    }
  }

  private func deliverPending(budget: RetryPolicy?) async -> LMKService.OutboxReport {
    await service.deliverPending(budget: budget, preparing: eventPreparer())
  }

  /// Prepares each event just before it is sent: its channels resolved (as the user wrote
  /// them), and the session left out once the user ended it in the app (an event stored
  /// before LMK said so still names it).
  private func eventPreparer() -> @Sendable (LMKService.Event) -> LMKService.Event {
    let channels = known.withLock { $0.channels }
    let ended = progress.withLock { $0.gone ? $0.id : nil }
    let logger = logger
    return { event in
      var prepared = SessionStateMapping.resolvingChannels(event, channels) { wanted in
        logger.warning("no LMK notification channel '\(wanted)'; using the account's default")
      }
      if let ended, prepared.sessionId == ended { prepared.sessionId = nil }
      return prepared
    }
  }

  private func loadChannelsOnce(budget: RetryPolicy?) async {
    guard !progress.withLock({ $0.channelsLoaded }) else { return }
    do {
      let channels = try await service.listChannels(
        budget: budget ?? WrapUpPlan(total: .seconds(1)).end)
      known.withLock { $0.channels = ChannelDirectory(channels) }
      progress.withLock { $0.channelsLoaded = true }
    } catch {
      logger.debug("could not list LMK channels yet: \(error)")
    }
  }

  /// Creates the session or updates it; false when the request failed for now.
  private func send(_ state: SessionSnapshot, budget: RetryPolicy?) async -> Bool {
    let session = progress.withLock { $0 }
    guard !session.gone else { return true }
    let channels = known.withLock { $0.channels }
    do {
      if let id = session.id {
        var partial = SessionStateMapping.partial(
          state, notebookName: notebookName, url: url, channels: channels)
        let told = RemoteSessionSettings(
          notifyOn: partial.notifyOn,
          notifyChannel: partial.notifyChannel ?? session.told.notifyChannel)
        // What the app may change goes out only when the bridge changes it, so an update
        // never overwrites a change made in the app that the bridge has not seen yet.
        if partial.notifyOn == session.told.notifyOn { partial.notifyOn = nil }
        if partial.notifyChannel == session.told.notifyChannel { partial.notifyChannel = nil }
        // Over the socket while it is open, but a run's end by PATCH, which LMK confirms: a
        // session the user ended in the app (409) is known before the run's notification goes.
        let viaSocket = budget == nil && state.shellState == .running
        if !viaSocket || !(socket?.send(partial) ?? false) {
          try await service.updateSession(id: id, state: partial, budget: budget)
        }
        progress.withLock { $0.told = told }
        socket?.published(told)
      } else {
        let full = SessionStateMapping.full(
          state, notebookName: notebookName, url: url, channels: channels)
        let created = try await service.createSession(
          name: notebookName, state: full, budget: budget)
        let told = RemoteSessionSettings(notifyOn: full.notifyOn, notifyChannel: full.notifyChannel)
        progress.withLock {
          $0.id = created.sessionId
          $0.told = told
        }
        known.withLock { $0.sessionId = created.sessionId }
        onSessionCreated(created.sessionId)
        logger.info("LMK session \(created.sessionId) created for \(notebookName)")
        socket?.published(told)
        socket?.start(sessionId: created.sessionId)
      }
      return true
    } catch LMKError.sessionEnded {
      logger.info("the LMK session was ended in the app; notifications continue without it")
      progress.withLock { $0.gone = true }
      known.withLock { $0.sessionId = nil }
      socket?.stop()
      return true
    } catch {
      logger.warning("LMK session update failed: \(error)")
      return false
    }
  }

  private func scheduleRetry() {
    let bell = doorbell
    let delay = retryInterval
    Task.detached {
      try? await Task.sleep(for: delay)
      bell.yield()
    }
  }
}
