import ExecutionCore
import Foundation

/// What one running bridge says about itself in its state file,
/// `<runtime dir>/jupyter-lmk/<kernel id>.json` (docs/BEHAVIOUR.md, "Local control"):
/// `jupyter-lmk ps` and `status` show it, `jupyter-lmk notify` finds the bridge by
/// it and waits for its acknowledgement in it. No secret goes in here.
public struct BridgeState: Codable, Sendable, Equatable {
  /// The layout's version; a reader skips a file of another version.
  public static let currentVersion = 1

  public enum Mode: String, Codable, Sendable {
    case launcher, attach
  }

  // The nested values are made only in this module (their memberwise initialisers);
  // other modules read them.

  /// One setting in force and who set it.
  public struct Setting: Codable, Sendable, Equatable {
    /// The key as in the config file (`notifyOn`, `minDuration`…).
    public var key: String
    /// The value as `ps` shows it (`stop`, `60 s`, `(account default)`).
    public var value: String
    /// Who set it: `built-in default`, the config file, `… metadata.lmk`, `command line`,
    /// `cell directive`, `the LMK app`, `a terminal`.
    public var source: String
  }

  /// The latest notification this bridge decided to send.
  public struct Notification: Codable, Sendable, Equatable {
    public var atMilliseconds: Int64
    /// One line (`run of 2 cell(s) failed at [7]`).
    public var summary: String
    /// `queued` (in the outbox), `delivered`, or `not sent` (no LMK credentials).
    public var delivery: String
  }

  /// The answer to one `notify` request, by its nonce.
  public struct Acknowledgement: Codable, Sendable, Equatable {
    public var nonce: String
    /// What is armed now, in words (`will notify when the current run stops (…)`).
    public var message: String
  }

  public var version = BridgeState.currentVersion
  public var kernelId: String
  public var connectionFile: String
  /// The notebook's path when known, else nil (`name` then says `<kernel> kernel`).
  public var notebook: String?
  /// The LMK session's name: the notebook's file name, else `<kernel> kernel`.
  public var name: String
  public var mode: Mode
  /// The process that writes this file and answers requests (the monitor, or `attach`).
  public var pid: Int32
  /// Its start time in clock ticks since boot (`/proc/<pid>/stat`), so a reused pid
  /// does not pass for it.
  public var pidStartTicks: UInt64?
  /// Launcher mode: the supervisor (`jupyter-lmk run`, the process Jupyter started).
  public var supervisorPid: Int32?
  public var kernelPid: Int32?
  public var startedAtMilliseconds: Int64
  public var settings: [Setting] = []
  public var sessionId: String?
  /// The LMK session socket: `off` until the session WebSocket sets it.
  public var socket = "off"
  public var lastNotification: Notification?
  /// Undelivered events in the outbox (shared by every bridge of the user).
  public var outboxBacklog = 0
  /// The latest memory line (`231.4 MiB of 256 MiB, peak 240 MiB (cgroup v1)`).
  public var memory: String?
  /// The latest answers to `notify`, newest last (a few, so racing requests all see theirs).
  public var acknowledged: [Acknowledgement] = []

  public init(
    kernelId: String, connectionFile: String, notebook: String?, name: String, mode: Mode,
    pid: Int32, pidStartTicks: UInt64?, supervisorPid: Int32?, kernelPid: Int32?,
    startedAtMilliseconds: Int64
  ) {
    self.kernelId = kernelId
    self.connectionFile = connectionFile
    self.notebook = notebook
    self.name = name
    self.mode = mode
    self.pid = pid
    self.pidStartTicks = pidStartTicks
    self.supervisorPid = supervisorPid
    self.kernelPid = kernelPid
    self.startedAtMilliseconds = startedAtMilliseconds
  }

  /// The most acknowledgements kept.
  static let acknowledgementsKept = 4
  /// A state file larger than this is not one of ours.
  public static let sizeLimit = 64 << 10

  /// The file's bytes (pretty-printed: people read it too).
  public func encoded() -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    // Plain values only: encoding cannot fail.
    return (try? encoder.encode(self)) ?? Data()
  }

  /// A state read back; nil for anything that is not a state file of this version
  /// (garbage, another layout, a file someone else wrote).
  public static func decode(_ data: Data) -> BridgeState? {
    guard data.count <= sizeLimit,
      let state = try? JSONDecoder().decode(BridgeState.self, from: data),
      state.version == currentVersion, state.pid > 0, !state.kernelId.isEmpty
    else { return nil }
    return state
  }

  /// Records an answer, keeping the newest few.
  mutating func acknowledge(_ acknowledgement: Acknowledgement) {
    acknowledged.append(acknowledgement)
    acknowledged.removeFirst(max(0, acknowledged.count - Self.acknowledgementsKept))
  }
}
