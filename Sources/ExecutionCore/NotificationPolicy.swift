/// When a finished run notifies the user (the official client's values).
public enum NotifyOn: String, Sendable, Equatable, CaseIterable, Codable {
  case none, error, stop
}

/// The notification policy: when a run counts as ended and which runs (and
/// deaths) notify whom, after layering (built-in defaults, user config file,
/// notebook metadata, command-line flags).
///
/// Cell directives and remote changes are applied on top by the core itself,
/// because they arrive as inputs while the kernel runs.
public struct NotificationPolicy: Sendable, Equatable {
  public var notifyOn: NotifyOn
  /// A channel id or channel name as the user wrote it; nil = the account's default.
  /// The runtime resolves names to ids before anything is sent.
  public var notifyChannel: String?
  /// Runs shorter than this do not notify.
  public var minDurationMilliseconds: Int64
  /// How long no cell must be in flight before a run counts as ended.
  public var idleGraceMilliseconds: Int64
  /// Report kernel death whatever `notifyOn` says.
  public var notifyOnDeath: Bool
  /// Warn once per run when the kernel's memory reaches this fraction of its
  /// limit (0 < f ≤ 1); nil = off.
  public var memoryWarning: Double?

  public init(
    notifyOn: NotifyOn = .none, notifyChannel: String? = nil,
    minDurationMilliseconds: Int64 = 0, idleGraceMilliseconds: Int64 = 1000,
    notifyOnDeath: Bool = true, memoryWarning: Double? = nil
  ) {
    self.notifyOn = notifyOn
    self.notifyChannel = notifyChannel
    self.minDurationMilliseconds = minDurationMilliseconds
    self.idleGraceMilliseconds = idleGraceMilliseconds
    self.notifyOnDeath = notifyOnDeath
    self.memoryWarning = memoryWarning
  }

  /// Whether `fraction` is a valid `memoryWarning`: more than 0, at most 1.
  public static func isValidMemoryWarning(_ fraction: Double) -> Bool {
    fraction > 0 && fraction <= 1
  }

  /// The built-in defaults of docs/BEHAVIOUR.md, "Settings".
  public static let defaults = NotificationPolicy()
}
