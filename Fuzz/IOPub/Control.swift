import ExecutionCore
import JupyterProtocol

@testable import BridgeRuntime

/// A lifecycle record of the IOPub harness: what other threads post to the
/// listener's mailbox, and the passing of time.
struct Control {
  var operation: UInt8
  var argument: UInt8

  init(_ bytes: ArraySlice<UInt8>) {
    operation = bytes.first ?? 0
    argument = bytes.dropFirst().first ?? 0
  }

  func apply(to monitor: CoreDriver, now: inout ClockReading) {
    switch operation % 9 {
    case 0: now = now.adding(milliseconds: Int64(argument) * 250)
    case 1:
      let time = KernelTime(millisecondsSince1970: now.milliseconds)
      monitor.receive(.interruptReachedKernel(at: time), at: now)
    case 2: monitor.receive(.kernelExited(death: nil), at: now)
    case 3: monitor.receive(.kernelExited(death: .signaled(Int32(argument))), at: now)
    case 4: monitor.receive(.heartbeat(.lost), at: now)
    case 5: monitor.receive(.heartbeat(.recovered), at: now)
    case 6: monitor.receive(.stop, at: now)
    case 7: monitor.receive(.settings(settings), at: now)
    default: monitor.receive(.reportShutdownSeen({ _ in }), at: now)
    }
  }

  /// Settings chosen by the argument's bits.
  private var settings: NotificationPolicy {
    let notifyOn: [NotifyOn] = [.none, .error, .stop, .stop]
    return NotificationPolicy(
      notifyOn: notifyOn[Int(argument) & 3], notifyChannel: argument & 4 != 0 ? "sms" : nil,
      minDurationMilliseconds: Int64(argument >> 4) * 500,
      idleGraceMilliseconds: argument & 8 != 0 ? 0 : 1000, notifyOnDeath: argument & 16 == 0)
  }
}
