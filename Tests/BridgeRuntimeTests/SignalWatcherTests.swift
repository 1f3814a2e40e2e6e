import ExecutionCore
import Glibc
import Testing

@testable import BridgeRuntime

@Suite struct SignalWatcherTests {
  static let time = KernelTime(millisecondsSince1970: 1_700_000_000_123)

  @Test(arguments: [
    (SIGINT, SignalEvent.interruptReachedKernel(at: time)), (SIGTERM, .shutdownRequested),
    (SIGHUP, .survived(signal: SIGHUP)), (SIGQUIT, .survived(signal: SIGQUIT)),
    (SIGUSR1, .survived(signal: SIGUSR1)), (SIGUSR2, .survived(signal: SIGUSR2)),
  ])
  func eventOfEachSignal(_ signal: Int32, _ event: SignalEvent) {
    #expect(SignalEvent(signal: signal, at: Self.time) == event)
  }

  /// A real signal, sent to this process, arrives as an event and the process survives it.
  @Test func caughtSignalBecomesAnEvent() async throws {
    let watcher = try SignalWatcher(signals: [SIGHUP])
    kill(getpid(), SIGHUP)
    let first = await withDeadline(.now + .seconds(5)) {
      var events = watcher.events.makeAsyncIterator()
      return await events.next()
    }
    #expect(try first?.get() == .survived(signal: SIGHUP))
    #expect(!watcher.shutdownRequested)
  }

  /// The interrupt's time is read when the signal is taken in, not when a
  /// consumer gets round to it.
  @Test func interruptIsStampedOnArrival() async throws {
    let watcher = try SignalWatcher(signals: [SIGINT])
    let before = MonotonicClock.wallTime()
    kill(getpid(), SIGINT)
    let first = await withDeadline(.now + .seconds(5)) {
      var events = watcher.events.makeAsyncIterator()
      return await events.next()
    }
    guard case .interruptReachedKernel(let time)?? = try first?.get() else {
      Issue.record("no interrupt event: \(String(describing: first))")
      return
    }
    #expect(time >= before && time <= MonotonicClock.wallTime())
  }
}
