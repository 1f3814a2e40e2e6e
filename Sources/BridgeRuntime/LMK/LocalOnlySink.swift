import ExecutionCore

/// The sink without LMK credentials: the kernel is still followed (the transcript
/// and log show every run and every notification the user would have had), but
/// nothing leaves the machine.
public struct LocalOnlySink: SessionSink {
  public init() {}
  public func publish(_ snapshot: SessionSnapshot) {}
  public func notify(_ intent: NotificationIntent, context: NotificationContext) {}
  public func finish(withinMilliseconds milliseconds: Int64) {}
}
