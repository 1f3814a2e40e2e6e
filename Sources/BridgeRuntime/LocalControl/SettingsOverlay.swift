import ExecutionCore

/// What the core applies on top of the configured settings while the kernel runs
/// (cell directives, remote changes), as `CoreDriver` reports it to local control
/// whenever it changes, with whether a run is in progress (for `notify`'s answer).
public struct SettingsOverlay: Sendable, Equatable {
  public var directive = CellDirective()
  /// The one-shot remote `notifyOn` and who armed it.
  public var remoteNotifyOn: NotifyOn?
  public var remoteNotifyOnSource: CoreDriver.RemoteSource?
  /// The remote channel (it stays) and who set it.
  public var remoteChannel: String?
  public var remoteChannelSource: CoreDriver.RemoteSource?
  public var runInProgress = false

  public init() {}
}
