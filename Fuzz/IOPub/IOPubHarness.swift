import ExecutionCore
import Foundation
import FuzzSupport
import JupyterProtocol

@testable import BridgeRuntime

/// The IOPub receive path as `IOPubListener.run` drives it: frames →
/// `IOPubDecoder` → `CoreDriver` (→ `BridgeCore` → the sink's rendering),
/// with the listener's deadline ticks, ending with the kernel's exit.
///
/// Input: a mode byte, then records separated by 0x1E.
/// - mode bit 0 clear: a record is header␟parent␟metadata␟content[␟buffer…]
///   (0x1F between parts), framed and signed here with `key`, so mutations
///   reach JSON decoding; set: a record is raw frames split at 0x1F.
/// - bit 1: empty key (an unsigned session). Bits 2–3: the signature scheme.
///   Bits 4–5: the `notifyOn` setting.
/// - A record starting with 0x1D is a lifecycle input (`Control`); one
///   starting with 0x1C is a shell `kernel_info_reply`, framed like a message;
///   one starting with 0x1B is a session WebSocket message from LMK, decoded
///   (`SessionSocketMessages`) and its settings applied as a remote change.
enum IOPubHarness {
  /// The signing vectors' key, so their recorded frames verify in raw mode.
  static let key = Secret("6a1f3c2e-9b4d4e0f8a7c5d3e2f1a0b9c")
  static let schemes: [SignatureScheme] = [.hmacSHA256, .hmacSHA256, .hmacSHA512, .hmacMD5]
  static let notifyOn: [NotifyOn] = [.stop, .error, .none, .stop]
  static let topic = Array("kernel.5b1e2c0d.status".utf8)

  static func run(_ input: [UInt8]) {
    guard let mode = input.first else { return }
    let raw = mode & 1 != 0
    let signer = MessageSigner(
      scheme: schemes[Int(mode >> 2) & 3], key: mode & 2 == 0 ? key : Secret(""))
    var decoder = IOPubDecoder(signer: signer, replayHistory: 64)
    var shell = JupyterSession(signer: signer, sessionId: "fuzz", replayHistory: 64)
    let monitor = CoreDriver(
      settings: NotificationPolicy(notifyOn: notifyOn[Int(mode >> 4) & 3]),
      context: NotificationContext(
        notebookName: "fuzz.ipynb", url: "http://localhost:8888/lab/tree/fuzz.ipynb",
        language: "python"),
      sink: RenderingSink(), emit: { _ in })
    var now = ClockReading(milliseconds: 5_000)

    for record in FuzzInput.split(input.dropFirst(), at: FuzzInput.recordSeparator) {
      guard monitor.ending == nil else { return }
      now = now.adding(milliseconds: 7)
      switch record.first {
      case 0x1D:
        Control(record.dropFirst()).apply(to: monitor, now: &now)
      case 0x1C:
        let frames = Self.frames(record.dropFirst(), raw: raw, signer: signer)
        let reply = KernelInfoReply.decode(frames, session: &shell)
        if case .success(let info) = reply { monitor.receive(.kernelInfo(info), at: now) }
      case 0x1B:
        let text = String(decoding: record.dropFirst(), as: UTF8.self)
        if case .update(let remote)? = SessionSocketMessages.decode(text) {
          monitor.receive(
            .remoteSettings(
              notifyOn: remote.notifyOn.flatMap(NotifyOn.init(rawValue:)),
              notifyChannel: remote.notifyChannel, from: .app), at: now)
        }
      default:
        switch decoder.decode(Self.frames(record, raw: raw, signer: signer)) {
        case .success(let message): monitor.receive(message, at: now)
        case .failure(let reason): monitor.dropped(reason, at: now)
        }
      }
      if let deadline = monitor.nextDeadline, deadline <= now { monitor.tick(at: now) }
    }
    if monitor.ending == nil { monitor.receive(.kernelExited(death: nil), at: now) }
  }

  /// The frames of one record: raw, or a signed message around its parts.
  static func frames(_ record: ArraySlice<UInt8>, raw: Bool, signer: MessageSigner) -> HeapFrames {
    let parts = FuzzInput.split(record, at: FuzzInput.unitSeparator).map { Array($0) }
    if raw { return HeapFrames(parts) }
    var signed = parts.prefix(4).map { $0 }
    while signed.count < 4 { signed.append(Array("{}".utf8)) }
    let signature = signer.signature(signed[0], signed[1], signed[2], signed[3])
    return HeapFrames([topic, wireDelimiter, signature] + signed + parts.dropFirst(4))
  }
}
