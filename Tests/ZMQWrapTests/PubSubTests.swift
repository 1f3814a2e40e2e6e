import Foundation
import Testing

@testable import ZMQWrap

@Suite struct PubSubTests {
  @Test func libzmqHasCurve() {
    #expect(zmqHas("curve"))
    #expect(!zmqHas("no-such-capability"))
    #expect(zmqVersion().major >= 4)
  }

  @Test(arguments: TestTransport.allCases)
  func multipartRoundTripWithEmptyAndLargeFrames(transport: TestTransport) throws {
    let context = try Context()
    let publisher = try openSocket(context, .pub)
    try publisher.setSendHighWaterMark(100)
    let endpoint = try transport.bind(publisher)
    let subscriber = try openSocket(context, .sub)
    try subscriber.setReceiveHighWaterMark(100)
    try subscriber.subscribe("")
    try subscriber.connect(endpoint)
    try awaitSubscription(publisher: publisher, subscriber: subscriber)

    let large = (0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
    let message: [[UInt8]] = [Array("topic".utf8), [], Array("<IDS|MSG>".utf8), large, [], [0]]
    #expect(try publisher.send(message))
    #expect(try receiveSkippingProbes(subscriber) == message)
    // A single empty frame is a message too.
    try publisher.send([[]])
    #expect(try receiveSkippingProbes(subscriber) == [[]])
  }

  @Test(arguments: TestTransport.allCases)
  func subscriptionSetBeforeConnectReachesThePublisher(transport: TestTransport) throws {
    let context = try Context()
    let publisher = try openSocket(context, .xpub)
    let endpoint = try transport.bind(publisher)
    let subscriber = try openSocket(context, .sub)
    try subscriber.subscribe("kernel.")
    try subscriber.connect(endpoint)

    // XPUB hands the subscription up ([1] + topic) once it has it: from then on nothing is lost.
    #expect(try receive(publisher) == [[1] + Array("kernel.".utf8)])
    try publisher.send([Array("stream.stdout".utf8), Array("filtered".utf8)])
    try publisher.send([Array("kernel.1.status".utf8), Array("delivered".utf8)])
    #expect(try receive(subscriber) == [Array("kernel.1.status".utf8), Array("delivered".utf8)])
  }

  @Test func verboseXPubReportsEverySubscription() throws {
    let context = try Context()
    let publisher = try openSocket(context, .xpub)
    try publisher.setXPubVerbose(true)
    let endpoint = try TestTransport.inproc.bind(publisher)
    let subscribers = try (0..<2).map { _ in
      let subscriber = try openSocket(context, .sub)
      try subscriber.subscribe("")
      try subscriber.connect(endpoint)
      return subscriber
    }
    #expect(try receive(publisher) == [[1]])
    #expect(try receive(publisher) == [[1]])
    #expect(subscribers.count == 2)
  }
}
