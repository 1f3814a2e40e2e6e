import BridgeSettings
import ExecutionCore
import Foundation
import OutsideFiles
import Synchronization

/// A running bridge's side of local control (docs/BEHAVIOUR.md, "Local control"):
/// keeps its state file current and answers `jupyter-lmk notify`.
///
/// Threads: the setters are called from any thread (the IOPub one included) and
/// only change a value under a lock; the `local-control` thread, four times a
/// second, takes a request file in (bounded, total, removed once read), posts it
/// to the core through `arm`, and writes the state file when something changed.
/// The IOPub loop never waits on the disk.
public final class LocalControl: Sendable {
  private struct Shared: Sendable {
    var state: BridgeState
    var configured: ResolvedSettings
    var overlay = SettingsOverlay()
    /// Requests posted to the core and not yet answered, oldest first.
    var pending: [NotifyRequest] = []
    var ready = false
    /// LMK credentials exist: notifications are queued and sent.
    var sends = true
    var dirty = true
    /// The state file is gone for good (`stop`): nothing writes it again.
    var stopped = false
  }

  public let folder: LocalControlFolder
  public let kernelId: String
  private let shared: Mutex<Shared>
  private let log: @Sendable (String) -> Void
  private let thread = Mutex<PeriodicThread?>(nil)
  /// The outbox folder, to count its backlog.
  private let outboxDirectory: String

  /// Request files ignored so far (garbage, too large, not a file).
  public var ignoredRequests: Int { ignored.load(ordering: .relaxed) }
  private let ignored = Atomic<Int>(0)

  /// Sets up local control for one bridge, or returns nil (with a log line) when the
  /// private folder cannot be trusted or another live bridge holds this kernel's file.
  ///
  /// - Parameters:
  ///   - outboxDirectory: where queued notifications wait (`Outbox.defaultDirectory`).
  ///   - log: one line per problem (an untrusted folder, an ignored request).
  public init?(
    folder: LocalControlFolder, connectionFile: String, mode: BridgeState.Mode,
    supervisorPid: Int32?, kernelPid: Int32?, outboxDirectory: String,
    log: @escaping @Sendable (String) -> Void
  ) {
    do {
      try folder.prepare()
    } catch {
      log("local control is off (jupyter-lmk notify and ps will not see this kernel): \(error)")
      return nil
    }
    let kernelId = LocalControlFolder.kernelId(connectionFile: connectionFile)
    let me = ProcessIdentity.current
    if let other = folder.liveState(kernelId: kernelId), other.pid != me.pid {
      log(
        "local control is off: kernel \(kernelId) already has a bridge with local control (pid \(other.pid))"
      )
      return nil
    }
    self.folder = folder
    self.kernelId = kernelId
    self.log = log
    self.outboxDirectory = outboxDirectory
    let state = BridgeState(
      kernelId: kernelId, connectionFile: connectionFile, notebook: nil, name: kernelId,
      mode: mode, pid: me.pid, pidStartTicks: me.startTicks, supervisorPid: supervisorPid,
      kernelPid: kernelPid, startedAtMilliseconds: Self.nowMilliseconds())
    shared = Mutex(Shared(state: state, configured: ResolvedSettings.resolve([])))
  }

  /// What the bridge worked out before monitoring; the state file appears from here on.
  public func configure(_ setup: BridgeSetup) {
    configure(
      notebook: setup.configuration.notebook?.path, name: setup.sessionName,
      configured: setup.configuration.resolved, sendsNotifications: !(setup.sink is LocalOnlySink))
    setup.socket?.observeStatus { [weak self] in self?.socketChanged($0.description) }
  }

  /// - Parameter sendsNotifications: LMK credentials exist (else nothing is queued).
  func configure(
    notebook: String?, name: String, configured: ResolvedSettings, sendsNotifications: Bool
  ) {
    update {
      $0.state.notebook = notebook
      $0.state.name = name
      $0.configured = configured
      $0.sends = sendsNotifications
      $0.ready = true
    }
  }

  /// Starts the `local-control` thread, which hands each request to the core on the
  /// IOPub thread as a remote change from a terminal.
  public func start(posting listener: IOPubListener<CoreDriver>) {
    start {
      listener.post(
        .remoteSettings(notifyOn: $0.notifyOn, notifyChannel: $0.channel, from: .terminal))
    }
  }

  /// Starts the `local-control` thread; `arm` hands a request on.
  func start(arm: @escaping @Sendable (NotifyRequest) -> Void) {
    let periodic = PeriodicThread(
      name: "local-control", interval: .milliseconds(250), waitFirst: false, state: 0
    ) { [self] tick in
      takeRequest(arm: arm)
      if tick % 4 == 0 {
        countOutbox()
        rewriteIfRemoved()
      }
      tick &+= 1
      writeIfChanged()
    }
    thread.withLock { $0 = periodic }
  }

  /// Stops the thread and removes the state file and any request left (every normal exit).
  public func stop() {
    thread.withLock { $0 }?.stopAndWait()
    shared.withLock { $0.stopped = true }
    unlink(folder.statePath(kernelId: kernelId))
    unlink(folder.requestPath(kernelId: kernelId))
  }

  // MARK: What the bridge reports (any thread; a lock held for a few instructions)

  /// The configured layers changed (the notebook's metadata was re-read).
  public func configuredChanged(_ configured: ResolvedSettings) {
    update { $0.configured = configured }
  }

  /// The core's directives and remote changes (from `CoreDriver`, on the IOPub thread).
  public func overlayChanged(_ overlay: SettingsOverlay) {
    update { $0.overlay = overlay }
  }

  /// The core took in a remote change; from a terminal, that answers the oldest request.
  public func remoteApplied(from source: CoreDriver.RemoteSource) {
    guard source == .terminal else { return }
    update {
      guard !$0.pending.isEmpty else { return }
      let request = $0.pending.removeFirst()
      let answer = SettingsInForce.answer(
        to: request, configured: $0.configured, overlay: $0.overlay)
      $0.state.acknowledge(.init(nonce: request.nonce, message: answer))
    }
  }

  /// The core decided to notify.
  public func notified(_ intent: NotificationIntent) {
    let at = Self.nowMilliseconds()
    let summary = ExecutionTranscript.describe(intent)
    update {
      $0.state.lastNotification = BridgeState.Notification(
        atMilliseconds: at, summary: summary,
        delivery: $0.sends ? "queued" : "not sent (no LMK credentials)")
    }
  }

  /// The LMK session this bridge reports to (created, adopted, or nil once ended).
  public func sessionChanged(_ id: String?) {
    update { $0.state.sessionId = id }
  }

  /// The LMK session socket's state in a word or two (`connected`, `reconnecting`…).
  public func socketChanged(_ state: String) {
    update { $0.state.socket = state }
  }

  /// The latest memory figures (`231.4 MiB of 256 MiB, peak 240 MiB (cgroup v1)`).
  public func memoryChanged(_ figures: String) {
    update { $0.state.memory = figures }
  }

  private func update(_ change: (inout Shared) -> Void) {
    shared.withLock {
      change(&$0)
      $0.dirty = true
    }
  }

  // MARK: The local-control thread

  private func takeRequest(arm: @Sendable (NotifyRequest) -> Void) {
    let path = folder.requestPath(kernelId: kernelId)
    guard let read = Self.readRequest(at: path) else { return }
    unlink(path)
    switch read {
    case .success(let request):
      shared.withLock { $0.pending.append(request) }
      arm(request)
    case .failure(let garbage):
      let count = ignored.add(1, ordering: .relaxed).newValue
      log("ignored a request in \(path): \(garbage) (\(count) ignored so far)")
    }
  }

  private func countOutbox() {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: outboxDirectory)) ?? []
    let events = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
    // An entry's name holds the pid of the bridge that queued it.
    let mine = "-\(getpid())-"
    let ownPending = events.contains { $0.contains(mine) }
    shared.withLock {
      var state = $0.state
      state.outboxBacklog = events.count
      if state.lastNotification?.delivery == "queued", !ownPending {
        state.lastNotification?.delivery = "delivered"
      }
      if state != $0.state {
        $0.state = state
        $0.dirty = true
      }
    }
  }

  /// A reader that took this file for a dead bridge's (a restarted monitor's file, read
  /// just before it was replaced) may have removed it: it comes back within a second.
  private func rewriteIfRemoved() {
    guard access(folder.statePath(kernelId: kernelId), F_OK) != 0 else { return }
    shared.withLock { $0.dirty = true }
  }

  private func writeIfChanged() {
    let data = shared.withLock { current -> Data? in
      guard current.ready, current.dirty, !current.stopped else { return nil }
      current.dirty = false
      current.state.settings = SettingsInForce.list(
        configured: current.configured, overlay: current.overlay)
      return current.state.encoded()
    }
    guard let data else { return }
    if !folder.writeAtomically(data, to: folder.statePath(kernelId: kernelId)) {
      shared.withLock { $0.dirty = true }  // the next tick tries again
    }
  }

  /// The request file's request, or why it is none; nil when there is no file.
  private static func readRequest(at path: String) -> Result<NotifyRequest, NotifyRequest.Garbage>?
  {
    switch OutsideFile.read(path, limit: NotifyRequest.sizeLimit) {
    case .failure(.missing): nil
    case .failure(.problem(let problem)): .failure(NotifyRequest.Garbage(problem))
    case .success(let data): NotifyRequest.decode(data)
    }
  }

  static func nowMilliseconds() -> Int64 {
    let milliseconds = (Date().timeIntervalSince1970 * 1000).rounded()
    return Int64(exactly: milliseconds) ?? 0
  }
}
