import Foundation
import JupyterProtocol
import ZMQWrap

/// Pings a kernel's heartbeat channel (REQ, as jupyter_client's HBChannel) on
/// a thread of its own and reports when the kernel stops or resumes answering.
///
/// A ping unanswered within `interval` is a miss; `missesToLose` misses in a
/// row make the kernel lost (default: 3 × 1 s, so a dead kernel is noticed
/// 3–4 s after it stopped answering). ipykernel answers from a thread of its
/// own, so a busy cell does not look like a death.
public final class Heartbeat: Sendable {
  public enum Event: Sendable, Equatable { case lost, recovered }

  private let stopPipe: WakePipe
  private let finished = ThreadHandOff<Void>()

  private init(stopPipe: WakePipe) { self.stopPipe = stopPipe }

  public static func start(
    connection: ConnectionInfo, context: Context, intervalMilliseconds: Int = 1000,
    missesToLose: Int = 3, onEvent: @escaping @Sendable (Event) -> Void
  ) throws -> Heartbeat {
    let heartbeat = Heartbeat(stopPipe: try WakePipe())
    let thread = Thread {
      defer { heartbeat.finished.set(()) }
      guard
        let socket = try? KernelSockets.connect(
          .req, to: .hb, of: connection, context: context,
          prepare: {
            try $0.setRequestRelaxed(true)
          })
      else {
        onEvent(.lost)
        return
      }
      defer { socket.close() }
      heartbeat.run(
        socket: socket, interval: intervalMilliseconds, limit: missesToLose, onEvent: onEvent)
    }
    thread.name = "heartbeat"
    thread.start()
    return heartbeat
  }

  /// Stops pinging and waits for the thread to close its socket.
  public func stop() {
    stopPipe.wake()
    finished.wait()
  }

  private func run(socket: Socket, interval: Int, limit: Int, onEvent: (Event) -> Void) {
    var poller = Poller()
    let reply = poller.addReadable(socket)
    let stop = poller.addReadable(fileDescriptor: stopPipe.readEnd)
    var misses = 0
    let ping = Array("ping".utf8)
    while true {
      guard (try? socket.send([ping], dontWait: true)) != nil else { return }
      let sentAt = MonotonicClock.now()
      var answered = false
      // Wait out the whole interval so pings are evenly spaced.
      while true {
        let left = Int(interval) - Int(MonotonicClock.now().milliseconds - sentAt.milliseconds)
        if left <= 0 { break }
        guard (try? poller.poll(timeoutMilliseconds: left)) != nil else { return }
        if poller.isReadable(stop) { return }
        if poller.isReadable(reply) {
          while (try? socket.receiveMultipart(dontWait: true)) ?? nil != nil { answered = true }
        }
      }
      if answered {
        if misses >= limit { onEvent(.recovered) }
        misses = 0
      } else {
        misses += 1
        if misses == limit { onEvent(.lost) }
      }
    }
  }
}
