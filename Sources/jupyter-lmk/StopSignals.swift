import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into one call of `onStop`, so the command wraps up
/// (ends its session, flushes) instead of dying mid-request.
enum StopSignals {
  nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

  static func install(onStop: @escaping @Sendable () -> Void) {
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler(handler: onStop)
      source.resume()
      sources.append(source)
    }
  }
}
