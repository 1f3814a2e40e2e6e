import Foundation
import JupyterProtocol
import ZMQWrap

/// Subscribes to a kernel's IOPub channel and runs the receive loop on a
/// thread of its own, feeding a consumer that lives on that thread.
///
/// The SUB socket subscribes before it connects, so a kernel started after us
/// cannot publish `starting` or the first cell before we listen. Besides the
/// empty topic it subscribes to a private one: a JEP 65 kernel answers every
/// new subscription with an `iopub_welcome`, but a second `""` subscriber on
/// the same kernel gets none.
///
/// Threads: the consumer is made on the loop's thread and never leaves it; other
/// threads reach it only through `post`, and learn how it ended from `wait`.
public final class IOPubListener<Consumer: IOPubConsumer>: Sendable {
  public typealias Input = Consumer.Input
  private let mailbox: Mailbox<Input>
  /// The consumer's ending, or nil when the socket failed first.
  private let finished = ThreadHandOff<Consumer.Ending?>()
  /// The private topic whose welcome confirms our subscription.
  public let privateTopic: String
  /// The session the loop verifies with, as it was built: the control channel
  /// can sign with the same one (`ControlClient(connection:session:context:)`).
  public let session: JupyterSession

  private init(mailbox: Mailbox<Input>, privateTopic: String, session: JupyterSession) {
    self.mailbox = mailbox
    self.privateTopic = privateTopic
    self.session = session
  }

  /// Opens and connects the socket (before returning), then starts the loop,
  /// verifying with a session built from `connection`.
  public static func start(
    connection: ConnectionInfo, context: Context, receiveHighWaterMark: Int32 = 1000,
    makeConsumer: @escaping @Sendable () -> Consumer
  ) throws -> IOPubListener<Consumer> {
    try start(
      connection: connection, session: JupyterSession(connection: connection), context: context,
      receiveHighWaterMark: receiveHighWaterMark, makeConsumer: makeConsumer)
  }

  /// Opens and connects the socket (before returning), then starts the loop,
  /// verifying with `session`.
  public static func start(
    connection: ConnectionInfo, session: JupyterSession, context: Context,
    receiveHighWaterMark: Int32 = 1000, makeConsumer: @escaping @Sendable () -> Consumer
  ) throws -> IOPubListener<Consumer> {
    let pipe = try WakePipe()
    let listener = IOPubListener(
      mailbox: Mailbox(pipe: pipe), privateTopic: "jupyter-lmk.\(UUID().uuidString.lowercased())",
      session: session)
    let opened = ThreadHandOff<Result<Void, any Error>>()
    let thread = Thread {
      let socket: Socket
      do {
        socket = try KernelSockets.connect(.sub, to: .iopub, of: connection, context: context) {
          try $0.setReceiveHighWaterMark(receiveHighWaterMark)
          try $0.subscribe("")
          try $0.subscribe(listener.privateTopic)
        }
      } catch {
        opened.set(.failure(error))
        listener.finished.set(nil)
        return
      }
      opened.set(.success(()))
      let ending = listener.run(socket: socket, pipe: pipe, consumer: makeConsumer())
      socket.close()
      listener.finished.set(ending)
    }
    thread.name = "iopub"
    thread.start()
    try opened.wait().get()
    return listener
  }

  /// Hands a value to the consumer on the loop's thread.
  public func post(_ input: Input) { mailbox.post(input) }

  /// Blocks until the loop has ended: the consumer's ending, or nil when the socket
  /// failed first. A plain thread's call, never a task's.
  @discardableResult
  public func wait() -> Consumer.Ending? { finished.wait() }

  private func run(socket: Socket, pipe: WakePipe, consumer: Consumer) -> Consumer.Ending? {
    var decoder = IOPubDecoder(session: session)
    let frames = FrameBuffer()
    var poller = Poller()
    let iopub = poller.addReadable(socket)
    let wake = poller.addReadable(fileDescriptor: pipe.readEnd)
    while consumer.ending == nil {
      var timeout = -1
      if let deadline = consumer.nextDeadline {
        // Saturating: a deadline a config pushed to the end of time is "forever", not a trap.
        let left = max(0, deadline.milliseconds(since: MonotonicClock.now()))
        timeout = Int(exactly: left) ?? Int.max
      }
      do {
        try poller.poll(timeoutMilliseconds: timeout)
      } catch {
        return nil
      }
      if poller.isReadable(iopub) {
        // Drain what is queued, but come up for air to honour deadlines and inputs.
        for _ in 0..<10_000 {
          guard (try? socket.receive(into: frames, dontWait: true)) == true else { break }
          switch decoder.decode(frames) {
          case .success(let message): consumer.receive(message, at: MonotonicClock.now())
          case .failure(let reason): consumer.dropped(reason, at: MonotonicClock.now())
          }
        }
      }
      // Inputs after the socket: a question posted once the kernel ended is
      // answered after everything it had published was taken in.
      if poller.isReadable(wake) {
        for input in mailbox.takeAll() {
          consumer.receive(input, at: MonotonicClock.now())
        }
      }
      let now = MonotonicClock.now()
      if let deadline = consumer.nextDeadline, deadline <= now {
        consumer.tick(at: now)
      }
    }
    return consumer.ending
  }
}
