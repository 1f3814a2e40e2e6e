import ExecutionCore
import LMKClient
import Logging
import Synchronization
import WebSocketWrap

/// The LMK session WebSocket (PRODUCT.md §8): remote `notifyOn`, channel and interrupt
/// from the LMK app, and the session's state updates while it is up.
///
/// Better than the official client: a token fetched on every (re)connect, and after a
/// 401 a refreshed one; reconnects for as long as the bridge runs (`ReconnectBackoff`);
/// the `connect` message first on every socket, then the latest state; a heartbeat
/// (ping after 2 s without a pong, drop after 5 s); after each connect `getSession`
/// tells what the app changed while the socket was down; malformed messages are
/// counted and ignored; proxies from the environment; the token is never logged.
///
/// Echoes: the app's changes are recognised as values that differ from what the
/// bridge itself last published (`published`), so its own state coming back is no change.
///
/// Threading: `start`, `send`, `published`, `stop` and `status` are thread-safe and
/// never block; the connection loop runs in a task of its own and commands go to
/// `onCommand` from it, in order.
public final class SessionSocket: Sendable {
  /// Where the socket stands, for `jupyter-lmk ps` and the logs.
  public enum Status: Sendable, Equatable, CustomStringConvertible {
    /// No session yet (the socket connects once there is one).
    case waitingForSession
    case connecting
    case connected
    /// Lost or refused; the next attempt is due in the given time.
    case retrying(reason: String)
    /// Stopped: the bridge is wrapping up.
    case stopped

    public var description: String {
      switch self {
      case .waitingForSession: "waiting for the LMK session"
      case .connecting: "connecting"
      case .connected: "connected"
      case .retrying(let reason): "reconnecting (\(reason))"
      case .stopped: "closed"
      }
    }
  }

  private struct State: Sendable {
    var sessionId: String?
    var client: WebSocketClient?
    var open = false
    var stopped = false
    var loop: Task<Void, Never>?
    /// The newest state, sent again first thing on every new socket.
    var latestState: String?
    /// What the bridge last told LMK: incoming values equal to it are its own echo.
    var published = RemoteSessionSettings(notifyOn: nil, notifyChannel: nil)
    var status = Status.waitingForSession
    var ignored = 0
  }

  private let backend: any SessionSocketBackend
  private let options: WebSocketOptions
  private let backoff: ReconnectBackoff
  private let onCommand: @Sendable (RemoteCommand) -> Void
  private let statusObserver = Mutex<(@Sendable (Status) -> Void)?>(nil)
  private let logger: Logger
  private let state = Mutex(State())
  /// A socket up at least this long was a working one: its loss restarts the backoff.
  static let stableAfter: Duration = .seconds(10)

  /// - Parameters:
  ///   - onCommand: the app's requests, from the socket's task, in order.
  package init(
    backend: any SessionSocketBackend, options: WebSocketOptions = SessionSocket.defaultOptions,
    backoff: ReconnectBackoff = ReconnectBackoff(), logger: Logger,
    onCommand: @escaping @Sendable (RemoteCommand) -> Void
  ) {
    self.backend = backend
    self.options = options
    self.backoff = backoff
    self.logger = logger
    self.onCommand = onCommand
  }

  /// A control socket's options: small messages, a heartbeat that notices a dead
  /// socket within 5 s, a short connect timeout (a slow LMK never holds anything up).
  package static var defaultOptions: WebSocketOptions {
    var options = WebSocketOptions()
    options.heartbeat = .init(pingAfterSeconds: 2, hangUpAfterSeconds: 5)
    options.connectTimeoutSeconds = 10
    options.closeTimeoutMilliseconds = 300
    options.maxMessageBytes = 256 << 10
    options.maxQueuedBytes = 1 << 20
    return options
  }

  public var status: Status { state.withLock { $0.status } }

  /// Tells `observer` the status now and at each change (from any thread; it must not block).
  public func observeStatus(_ observer: @escaping @Sendable (Status) -> Void) {
    statusObserver.withLock { $0 = observer }
    observer(status)
  }
  /// Messages that were malformed or not understood, ignored.
  public var ignoredMessages: Int { state.withLock { $0.ignored } }

  /// Starts connecting for `sessionId` (once; later calls do nothing).
  package func start(sessionId: String) {
    let begin = state.withLock { state -> Bool in
      guard state.loop == nil, !state.stopped else { return false }
      state.sessionId = sessionId
      state.loop = Task.detached { [self] in await run(sessionId: sessionId) }
      return true
    }
    if begin { logger.debug("LMK session socket: starting for session \(sessionId)") }
  }

  /// Sends `update` (the session's partial state) if the socket is open; false when it
  /// is not (the caller PATCHes instead). Either way it is resent on the next socket.
  package func send(_ update: LMKService.PartialJupyterState) -> Bool {
    let text = SessionSocketMessages.state(update)
    let client = state.withLock { state -> WebSocketClient? in
      state.latestState = text
      return state.open ? state.client : nil
    }
    guard let client else { return false }
    do {
      try client.send(text: text)
      return true
    } catch {
      return false
    }
  }

  /// Records what the bridge told LMK last (over the socket or by PATCH).
  package func published(_ settings: RemoteSessionSettings) {
    state.withLock { $0.published = settings }
  }

  /// Closes the socket and stops reconnecting. Does not wait.
  package func stop() {
    let (client, loop) = state.withLock { state -> (WebSocketClient?, Task<Void, Never>?) in
      state.stopped = true
      state.open = false
      return (state.client, state.loop)
    }
    client?.close(code: 1000, reason: "kernel gone")
    loop?.cancel()
    setStatus(.stopped)
  }

  // MARK: The connection loop

  private func run(sessionId: String) async {
    var failures = 0
    var rejected: String?
    var lastReason: String?
    while !Task.isCancelled {
      setStatus(.connecting)
      let outcome = await connectOnce(sessionId: sessionId, rejecting: rejected)
      rejected = nil
      if Task.isCancelled || state.withLock({ $0.stopped }) { return }
      switch outcome {
      case .ended(let reason, let wasUp, let lasted):
        // A socket that stayed up a while starts the backoff over; one that a server keeps
        // accepting and dropping backs off like a refusal.
        failures = wasUp && lasted >= Self.stableAfter ? 1 : min(failures + 1, 64)
        if wasUp {
          logger.notice("LMK session socket lost (\(reason)); reconnecting")
        } else if reason != lastReason {
          logger.notice("LMK session socket: \(reason); trying again")
        }
        lastReason = reason
      case .tokenRejected(let token):
        // A fresh token at once the first time; a second refusal in a row waits.
        failures = min(failures + 1, 64)
        rejected = token
        if failures == 1 {
          logger.info("LMK session socket: token refused (HTTP 401); refreshing it")
          continue
        }
        if lastReason != "token refused" {
          logger.warning("LMK session socket: the refreshed token was refused too; trying again")
        }
        lastReason = "token refused"
      case .noEndpoint(let status):
        failures = min(failures + 1, 64)
        if lastReason != "no endpoint" {
          logger.notice(
            "LMK has no session socket (HTTP \(status)): remote control from the app is off; updates go by HTTP"
          )
        }
        lastReason = "no endpoint"
      case .cannotStart(let reason):
        failures = min(failures + 1, 64)
        if reason != lastReason { logger.warning("LMK session socket: \(reason)") }
        lastReason = reason
      }
      let delay = backoff.delay(afterFailures: failures, jitter: Double.random(in: 0...1))
      setStatus(.retrying(reason: lastReason ?? "lost"))
      do { try await Task.sleep(for: delay) } catch { return }
    }
  }

  private enum Outcome {
    /// The socket closed or failed; `wasUp` if it had been open.
    case ended(reason: String, wasUp: Bool, lasted: Duration = .zero)
    case tokenRejected(String)
    case noEndpoint(status: Int)
    /// No address (not logged in, refresh failed) or a bad URL.
    case cannotStart(String)
  }

  private func connectOnce(sessionId: String, rejecting rejected: String?) async -> Outcome {
    let address: SessionSocketAddress
    do {
      address = try await backend.sessionSocketAddress(rejecting: rejected)
    } catch {
      return .cannotStart("no token for the socket: \(error)")
    }
    let client: WebSocketClient
    let events: AsyncStream<WebSocketEvent>
    do {
      (client, events) = try WebSocketClient.connect(url: address.url, options: options)
    } catch {
      return .cannotStart("\(error)")
    }
    let proceed = state.withLock { state -> Bool in
      guard !state.stopped else { return false }
      state.client = client
      return true
    }
    guard proceed else {
      client.close()
      return .ended(reason: "stopped", wasUp: false)
    }
    defer {
      state.withLock {
        $0.client = nil
        $0.open = false
      }
    }
    var wasUp = false
    var openedAt = ContinuousClock.now
    for await event in events {
      switch event {
      case .connected:
        wasUp = true
        openedAt = .now
        opened(client, sessionId: sessionId)
      case .text(let text):
        received(text)
      case .binary:
        ignore("a binary message")
      case .closed(let close):
        return .ended(
          reason: "closed with code \(close.code)\(close.byPeer ? " by LMK" : "")", wasUp: wasUp,
          lasted: .now - openedAt)
      case .failed(let error):
        if error.httpStatus == 401 { return .tokenRejected(address.token) }
        if let status = error.httpStatus, status == 404 || status == 405 || status == 426 {
          return .noEndpoint(status: status)
        }
        return .ended(reason: "\(error)", wasUp: wasUp, lasted: .now - openedAt)
      }
    }
    return .ended(reason: "stopped", wasUp: wasUp)
  }

  /// A new socket: `connect` first; then what the app changed while no socket was up
  /// (`getSession`), then the newest state, which the app's change does not lose
  /// (`LMKSessionSink` sends `notifyOn` only when the bridge changes it).
  private func opened(_ client: WebSocketClient, sessionId: String) {
    try? client.send(text: SessionSocketMessages.connect(sessionId: sessionId))
    let latest = state.withLock { state -> String? in
      state.open = true
      return state.latestState
    }
    setStatus(.connected)
    logger.info("LMK session socket connected (\(client.redactedURL))")
    Task { [self] in
      do {
        let settings = try await backend.remoteSettings(
          sessionId: sessionId, budget: .interactive)
        apply(settings)
      } catch {
        logger.debug("LMK session socket: getSession after connecting failed: \(error)")
      }
      if let latest { try? client.send(text: latest) }
    }
  }

  private func received(_ text: String) {
    switch SessionSocketMessages.decode(text) {
    case .update(let settings)?:
      apply(settings)
    case .action("interrupt")?:
      logger.info("LMK app: interrupt the kernel")
      onCommand(.interrupt)
    case .action(let other)?:
      ignore("the action '\(other.prefix(64))'")
    case .refused?:
      ignore("a message with ok false")
    case .unexpected(let type)?:
      ignore("a message of type '\(type)'")
    case nil:
      ignore("a malformed message")
    }
  }

  /// Passes on what differs from the bridge's own last word: the app's change.
  private func apply(_ settings: RemoteSessionSettings) {
    let published = state.withLock { $0.published }
    var notifyOn: NotifyOn?
    if let wanted = settings.notifyOn, wanted != published.notifyOn {
      notifyOn = NotifyOn(rawValue: wanted)
      if notifyOn == nil { ignore("notifyOn '\(wanted.prefix(32))'") }
    }
    var channel: String?
    if let wanted = settings.notifyChannel, !wanted.isEmpty, wanted != published.notifyChannel {
      channel = wanted
    }
    guard notifyOn != nil || channel != nil else { return }
    // Seen: the same value again (the service echoing it) is no new change.
    state.withLock { state in
      if let notifyOn { state.published.notifyOn = notifyOn.rawValue }
      if let channel { state.published.notifyChannel = channel }
    }
    onCommand(.settings(notifyOn: notifyOn, notifyChannel: channel))
  }

  private func ignore(_ what: String) {
    let count = state.withLock { state -> Int in
      // Saturating: a server may send without end.
      state.ignored = state.ignored == Int.max ? Int.max : state.ignored + 1
      return state.ignored
    }
    // The first few in words; then one line per hundred, whatever a hostile server sends.
    if count <= 3 || count % 100 == 0 {
      logger.notice("LMK session socket: ignored \(what) (\(count) ignored so far)")
    }
  }

  private func setStatus(_ status: Status) {
    let changed = state.withLock { state -> Bool in
      guard state.status != status, state.status != .stopped else { return false }
      state.status = status
      return true
    }
    if changed { statusObserver.withLock { $0 }?(status) }
  }
}
