import ExecutionCore
import Foundation
import Testing

@testable import BridgeRuntime

/// A request file is written by `notify` and read by the bridge, in a folder only
/// its owner can enter; still, whatever bytes are there decode totally.
@Suite struct NotifyRequestTests {
  @Test func roundTrips() throws {
    let request = NotifyRequest.make(notifyOn: .stop, channel: "sms")
    #expect(try NotifyRequest.decode(request.encoded()).get() == request)
    let plain = NotifyRequest(nonce: "a-1", notifyOn: .none, channel: nil)
    #expect(try NotifyRequest.decode(plain.encoded()).get() == plain)
  }

  @Test(arguments: [
    ("", "not a request"),
    ("\u{0}\u{1}{{", "not a request"),
    (#"{"nonce":"a","notifyOn":"sometimes"}"#, "not a request"),
    (#"{"nonce":"a"}"#, "not a request"),
    (#"{"nonce":7,"notifyOn":"stop"}"#, "not a request"),
    (#"[1,2,3]"#, "not a request"),
    (#"{"nonce":"","notifyOn":"stop"}"#, "a nonce"),
    (#"{"nonce":"../../etc","notifyOn":"stop"}"#, "a nonce"),
    (#"{"nonce":"é","notifyOn":"stop"}"#, "a nonce"),
    (#"{"nonce":"a","notifyOn":"stop","channel":""}"#, "a channel"),
    (#"{"nonce":"a","notifyOn":"stop","channel":"two\nlines"}"#, "a channel"),
  ])
  func garbageIsIgnoredWithAReason(text: String, reason: String) {
    guard case .failure(let garbage) = NotifyRequest.decode(Data(text.utf8)) else {
      Issue.record("decoded \(text)")
      return
    }
    #expect(garbage.description.hasPrefix(reason))
  }

  @Test func limitsAreHeld() {
    let long = String(repeating: "x", count: NotifyRequest.channelLimit + 1)
    let tooLong = NotifyRequest(nonce: "a", notifyOn: .stop, channel: long)
    #expect((try? NotifyRequest.decode(tooLong.encoded()).get()) == nil)
    let huge = Data(repeating: 0x20, count: NotifyRequest.sizeLimit + 1)
    #expect((try? NotifyRequest.decode(huge).get()) == nil)
    let nonce = String(repeating: "a", count: 65)
    #expect(
      (try? NotifyRequest.decode(
        NotifyRequest(nonce: nonce, notifyOn: .stop, channel: nil).encoded()
      ).get()) == nil)
  }
}
