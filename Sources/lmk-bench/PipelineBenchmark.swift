import BridgeRuntime
import ExecutionCore
import Foundation
import JupyterProtocol
import ZMQWrap

/// The bridge's IOPub hot path exactly as attach and launcher mode run it:
/// `IOPubListener`'s receive loop (reused `FrameBuffer`, `IOPubDecoder`
/// verify + decode, a monotonic clock reading per message) feeding each
/// message to the pure state machine `BridgeCore`, as `CoreDriver` does. Timed from the first message to the last, like the raw libzmq
/// receiver it is compared with.
enum PipelineBenchmark {
  struct Result {
    var received = 0
    var decoded = 0
    var dropped = 0
    /// Actions the core asked for (session updates, notifications…), not carried out here.
    var actions = 0
    var seconds = 0.0

    var json: String {
      let rate = seconds > 0 ? Double(received) / seconds : 0
      return """
        {"stages": "\(PipelineConsumer.stages)", "received": \(received), "decoded": \(decoded), \
        "dropped": \(dropped), "actions": \(actions), "seconds": \(seconds), "rate": \(rate)}
        """
    }
  }

  static func run(_ options: PipelineOptions) throws -> Result {
    let connection = try ConnectionInfo.load(path: options.connectionFile)
    let context = try Context()
    // No receive high-water mark: this part measures speed, nothing may be dropped.
    let listener = try IOPubListener<PipelineConsumer>.start(
      connection: connection, context: context, receiveHighWaterMark: 0
    ) {
      PipelineConsumer(count: options.count, idleTimeout: options.idleTimeoutMilliseconds)
    }
    return listener.wait() ?? Result()
  }
}

/// Counts and times what the listener hands over; ends after `count` messages
/// or when nothing has arrived for `idleTimeout` milliseconds.
final class PipelineConsumer: IOPubConsumer {
  enum Input: Sendable {}
  static let stages = "receive+verify+decode+core"

  private let count: Int
  private let idleTimeout: Int64
  private var core = BridgeCore(settings: NotificationPolicy(notifyOn: .stop))
  private var first: UInt64 = 0
  private var last: UInt64 = 0
  private var lastArrival = MonotonicClock.now()
  private(set) var result = PipelineBenchmark.Result()
  private var timedOut = false

  init(count: Int, idleTimeout: Int) {
    self.count = count
    self.idleTimeout = Int64(idleTimeout)
  }

  func receive(_ message: IOPubMessage, at now: ClockReading) {
    result.decoded += 1
    result.actions += core.handle(.message(message, at: now)).count
    arrived(at: now)
  }

  func receive(_ input: Input, at now: ClockReading) {}

  func dropped(_ reason: DropReason, at now: ClockReading) {
    result.dropped += 1
    arrived(at: now)
  }

  private func arrived(at now: ClockReading) {
    last = DispatchTime.now().uptimeNanoseconds
    if result.received == 0 { first = last }
    result.received += 1
    lastArrival = now
    result.seconds = Double(last - first) / 1e9
  }

  func tick(at now: ClockReading) {
    timedOut = now.milliseconds - lastArrival.milliseconds >= idleTimeout
  }
  var nextDeadline: ClockReading? { lastArrival.adding(milliseconds: idleTimeout) }
  /// The figures, once `count` messages arrived or nothing came for `idleTimeout`.
  var ending: PipelineBenchmark.Result? { result.received >= count || timedOut ? result : nil }
}
