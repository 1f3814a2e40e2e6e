import Glibc
import Testing

@testable import JupyterBridge

@Suite struct SignalWatcherTests {
  @Test(arguments: [
    (SIGINT, SignalEvent.interruptReachedKernel), (SIGTERM, .shutdownRequested),
    (SIGHUP, .survived(signal: SIGHUP)), (SIGQUIT, .survived(signal: SIGQUIT)),
    (SIGUSR1, .survived(signal: SIGUSR1)), (SIGUSR2, .survived(signal: SIGUSR2)),
  ])
  func eventOfEachSignal(_ signal: Int32, _ event: SignalEvent) {
    #expect(SignalEvent(signal: signal) == event)
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
}
