import Testing

@testable import ZMQWrap

@Suite struct RequestReplyTests {
  @Test(arguments: TestTransport.allCases)
  func dealerRouterRoundTrip(transport: TestTransport) throws {
    let context = try Context()
    let router = try openSocket(context, .router)
    let endpoint = try transport.bind(router)
    let dealer = try openSocket(context, .dealer)
    try dealer.connect(endpoint)

    let request: [[UInt8]] = [Array("<IDS|MSG>".utf8), [], Array("{}".utf8)]
    try dealer.send(request)
    let received = try #require(try receive(router))
    // ROUTER prefixes the peer's routing id.
    #expect(received.count == request.count + 1)
    #expect(Array(received.dropFirst()) == request)
    let identity = received[0]
    #expect(!identity.isEmpty)

    try router.send([identity, Array("reply".utf8), []])
    #expect(try receive(dealer) == [Array("reply".utf8), []])
  }

  @Test(arguments: TestTransport.allCases)
  func reqRepRoundTrip(transport: TestTransport) throws {
    let context = try Context()
    let rep = try openSocket(context, .rep)
    let endpoint = try transport.bind(rep)
    let req = try openSocket(context, .req)
    try req.connect(endpoint)
    for round in 0..<3 {
      try req.send([Array("ping \(round)".utf8)])
      #expect(try receive(rep) == [Array("ping \(round)".utf8)])
      try rep.send([Array("pong \(round)".utf8)])
      #expect(try receive(req) == [Array("pong \(round)".utf8)])
    }
  }

  @Test func strictReqRefusesASecondRequestAndRelaxedAllowsIt() throws {
    let context = try Context()
    let rep = try openSocket(context, .rep)
    let endpoint = try TestTransport.inproc.bind(rep)

    let strict = try openSocket(context, .req)
    try strict.connect(endpoint)
    try strict.send([Array("first".utf8)])
    let error = try #require(throws: ZMQError.self) { try strict.send([Array("second".utf8)]) }
    #expect(error.operation == "send")
    #expect(error.description == "send: Operation cannot be accomplished in current state")

    let relaxed = try openSocket(context, .req)
    try relaxed.setRequestRelaxed(true)
    try relaxed.connect(endpoint)
    try relaxed.send([Array("first".utf8)])
    #expect(try relaxed.send([Array("second".utf8)]))
  }
}
