import ExecutionCore
import Foundation
import JupyterProtocol
import Logging

/// Drives the pure `BridgeCore` in both modes, living on the IOPub thread (the
/// listener's consumer): messages, clock ticks and lifecycle inputs go into the
/// core; its actions go to the `SessionSink`, and each one's transcript line
/// (`ExecutionTranscript`) to `emit`.
public final class CoreDriver: IOPubConsumer {
  public enum Input: Sendable {
    /// Stop monitoring (attach mode: SIGINT/SIGTERM).
    case stop
    /// Attach mode: the heartbeat stopped or resumed.
    case heartbeat(Heartbeat.Event)
    /// Attach mode: the connection file or the kernel's process appeared or went.
    case kernelPresence(KernelPresence)
    /// The kernel told us its language (for the notification's code fence).
    case kernelInfo(KernelInfoReply)
    /// Launcher mode: an interrupt reached the kernel's process group at this
    /// wall time (the kernel runs on this machine: its header dates compare).
    case interruptReachedKernel(at: KernelTime)
    /// Launcher mode: the kernel process exited; `death` describes a death, nil a normal exit.
    case kernelExited(death: KernelDeath?)
    /// The configured settings were re-read (config file, notebook metadata).
    case settings(NotificationPolicy)
    /// Launcher mode: asks whether the kernel announced a shutdown on IOPub.
    case reportShutdownSeen(@Sendable (Bool) -> Void)
    /// Launcher mode: the memory sampler's latest reading of the kernel.
    case memory(MemoryReading)
    /// A change of what to notify on, from the LMK app or a terminal; `notifyOn` is
    /// one-shot (the next run's end resets it), nil fields change nothing.
    case remoteSettings(notifyOn: NotifyOn?, notifyChannel: String?, from: RemoteSource)
  }

  /// Who asked for a remote change (for the transcript and `jupyter-lmk ps`).
  public enum RemoteSource: String, Sendable, Equatable {
    /// The LMK app, over the session WebSocket.
    case app = "the LMK app"
    /// `jupyter-lmk notify` in a terminal.
    case terminal = "a terminal"
  }

  /// Why monitoring ended.
  public enum Ending: Sendable, Equatable {
    case stopped
    case kernelShutDown
    case kernelDied
  }

  private var core: BridgeCore
  private var context: NotificationContext
  private let sink: SessionSink
  private let emit: @Sendable (String) -> Void
  /// Attach mode: what the presence watcher last said, and whether the heartbeat is lost.
  private var presence = KernelPresence()
  private var heartbeatIsLost = false
  private var waitingForRestart = false
  /// Where drop lines and the drop summary go: the log at warning level by default.
  private let warn: @Sendable (String) -> Void
  private var drops = DropLog()
  private var subscriptionConfirmed = false
  /// Local control: told of the overlay (directives, remote changes) when it changes.
  private let localControl: LocalControl?
  private var overlay = SettingsOverlay()
  public private(set) var ending: Ending? {
    didSet {
      // Wrap-up: what was dropped, once, when monitoring ends.
      if oldValue == nil, ending != nil, let summary = drops.summary { warn(summary) }
    }
  }

  /// - Parameters:
  ///   - emit: the transcript (attach: stdout; launcher: the debug log).
  ///   - warn: dropped-message lines (rate-limited) and their summary at wrap-up;
  ///     by default the log at warning level, whatever `emit` does.
  public init(
    settings: NotificationPolicy, context: NotificationContext, sink: SessionSink,
    emit: @escaping @Sendable (String) -> Void,
    warn: (@Sendable (String) -> Void)? = nil, localControl: LocalControl? = nil
  ) {
    self.localControl = localControl
    self.core = BridgeCore(settings: settings)
    self.context = context
    self.sink = sink
    self.emit = emit
    self.warn = warn ?? { Logger(label: "jupyter-lmk").warning("\($0)") }
  }

  /// Dropped IOPub messages so far, per reason.
  public var dropCounts: DropCounts { drops.counts }

  /// The state to create the LMK session with.
  public var snapshot: SessionSnapshot { core.snapshot }
  /// Whether the kernel announced a shutdown on IOPub (the launcher's death rule).
  public var shutdownSeen: Bool { core.shutdownSeen }

  public func receive(_ message: IOPubMessage, at now: ClockReading) {
    Failpoint.firstMessage.hit()
    switch message.content {
    case .welcome:
      // Our private topic and (when we subscribed first) "" may both be welcomed.
      if !subscriptionConfirmed { emit("subscription confirmed (iopub_welcome)") }
      subscriptionConfirmed = true
    case .other: return  // output: nothing to do, and the hot path stays short
    default: break
    }
    apply(core.handle(.message(message, at: now)))
  }

  public func receive(_ input: Input, at now: ClockReading) {
    switch input {
    case .stop:
      apply(core.handle(.kernelExited(at: now)))
      ending = .stopped
    case .heartbeat(.recovered):
      heartbeatIsLost = false
      waitingForRestart = false
      emit("kernel answering again")
    case .heartbeat(.lost):
      heartbeatIsLost = true
      judgeAbsence(at: now)
    case .kernelPresence(let newPresence):
      presence = newPresence
      if heartbeatIsLost { judgeAbsence(at: now) }
    case .kernelInfo(let info):
      context.language = info.languageName.isEmpty ? context.language : info.languageName
      emit("kernel: \(info.implementation) (\(info.languageName))")
    case .interruptReachedKernel(let time):
      apply(core.handle(.interruptReachedKernel(at: now, kernelTime: time)))
    case .kernelExited(let death):
      if let death {
        apply(core.handle(.kernelDied(death, at: now)))
        ending = .kernelDied
      } else {
        emit("kernel exited")
        apply(core.handle(.kernelExited(at: now)))
        ending = .kernelShutDown
      }
    case .settings(let settings):
      apply(core.handle(.settingsChanged(settings, at: now)))
    case .reportShutdownSeen(let answer):
      answer(core.shutdownSeen)
    case .memory(let reading):
      apply(core.handle(.memory(reading, at: now)))
    case .remoteSettings(let notifyOn, let notifyChannel, let source):
      let changes = [
        notifyOn.map { "notifyOn \($0.rawValue)" }, notifyChannel.map { "channel \($0)" },
      ].compactMap { $0 }
      emit("remote change from \(source.rawValue): \(changes.joined(separator: ", "))")
      let before = core.remoteChanges
      let actions = core.handle(
        .remoteSettings(notifyOn: notifyOn, notifyChannel: notifyChannel, at: now))
      // Who set a remote value is who changed it last (the app echoes what it shows).
      let after = core.remoteChanges
      apply(
        actions,
        remoteSource: (
          notifyOn: after.notifyOn != before.notifyOn ? source : nil,
          channel: after.channel != before.channel ? source : nil
        ))
      localControl?.remoteApplied(from: source)
    }
  }

  /// Attach mode, the heartbeat lost: a kernel whose connection file is gone shut
  /// down; one that announced a shutdown may restart, so attach waits until its
  /// process is gone too; otherwise it died.
  private func judgeAbsence(at now: ClockReading) {
    if !presence.connectionFileExists {
      emit("kernel shut down (connection file removed)")
      apply(core.handle(.kernelExited(at: now)))
      ending = .kernelShutDown
    } else if core.shutdownSeen {
      if presence.processGone {
        emit("kernel shut down (nothing listens on its ports any more)")
        apply(core.handle(.kernelExited(at: now)))
        ending = .kernelShutDown
      } else if !waitingForRestart {
        waitingForRestart = true
        emit("kernel not answering after a shutdown request; waiting for a restart")
      }
    } else {
      apply(core.handle(.kernelDied(.heartbeatLost, at: now)))
      ending = .kernelDied
    }
  }

  public func dropped(_ reason: DropReason, at now: ClockReading) {
    // At most one line a second, whatever a hostile peer sends.
    if let line = drops.record(reason, at: now) { warn(line) }
  }

  public func tick(at now: ClockReading) {
    apply(core.handle(.tick(now)))
  }

  public var nextDeadline: ClockReading? { core.nextDeadline }

  /// - Parameter remoteSource: who made the remote changes that this input set.
  private func apply(
    _ actions: [CoreAction],
    remoteSource: (notifyOn: RemoteSource?, channel: RemoteSource?) = (nil, nil)
  ) {
    for action in actions {
      if let line = ExecutionTranscript.line(for: action) { emit(line) }
      switch action {
      case .publishState(let snapshot): sink.publish(snapshot)
      case .notify(let intent):
        sink.notify(intent, context: context)
        localControl?.notified(intent)
      case .record(.directiveIgnored(let count, let problem)): warn("cell [\(count)]: \(problem)")
      case .record: break
      }
    }
    if let localControl { report(to: localControl, remoteSource: remoteSource) }
  }

  /// Tells local control what the core applies on top of the configuration, when it changed.
  private func report(
    to localControl: LocalControl, remoteSource: (notifyOn: RemoteSource?, channel: RemoteSource?)
  ) {
    var now = overlay
    now.directive = core.cellDirective
    (now.remoteNotifyOn, now.remoteChannel) = core.remoteChanges
    now.remoteNotifyOnSource =
      now.remoteNotifyOn == nil ? nil : remoteSource.notifyOn ?? overlay.remoteNotifyOnSource
    now.remoteChannelSource =
      now.remoteChannel == nil ? nil : remoteSource.channel ?? overlay.remoteChannelSource
    now.runInProgress = core.isRunInProgress
    guard now != overlay else { return }
    overlay = now
    localControl.overlayChanged(now)
  }
}
