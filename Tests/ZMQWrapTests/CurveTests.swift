import Testing

@testable import ZMQWrap

@Suite struct CurveTests {
  @Test func keyPairsAreFortyCharacterZ85AndDistinct() throws {
    let first = try Curve.generateKeyPair()
    let second = try Curve.generateKeyPair()
    for key in [first.publicKey, first.secretKey, second.publicKey, second.secretKey] {
      #expect(key.utf8.count == 40)
    }
    #expect(first.publicKey != second.publicKey)
    #expect(first.secretKey != first.publicKey)
  }

  /// A CURVE server (as ipykernel ≥ 7.3 makes every socket) and a client with `serverKey`.
  private func exchange(serverKey: (String) -> String) throws -> [[UInt8]]? {
    try #require(zmqHas("curve"))
    let server = try Curve.generateKeyPair()
    let client = try Curve.generateKeyPair()
    let context = try Context()
    let rep = try openSocket(context, .rep)
    try rep.setCurveServer(secretKey: server.secretKey)
    let endpoint = try TestTransport.tcp.bind(rep)
    let req = try openSocket(context, .req)
    try req.setCurveClient(
      serverKey: serverKey(server.publicKey), publicKey: client.publicKey,
      secretKey: client.secretKey)
    try req.connect(endpoint)
    try req.send([Array("secret hello".utf8)])
    guard let request = try receive(rep, within: 2000) else { return nil }
    try rep.send([Array("secret reply".utf8)])
    #expect(try receive(req) == [Array("secret reply".utf8)])
    return request
  }

  @Test func clientWithTheServerKeyExchangesMessages() throws {
    #expect(try exchange { $0 } == [Array("secret hello".utf8)])
  }

  @Test func clientWithAWrongServerKeyGetsNothingThrough() throws {
    let wrong = try Curve.generateKeyPair().publicKey
    #expect(try exchange { _ in wrong } == nil)
  }

  @Test func malformedCurveKeyIsAnError() throws {
    let context = try Context()
    let socket = try openSocket(context, .sub)
    let error = try #require(throws: ZMQError.self) {
      try socket.setCurveClient(serverKey: "too short", publicKey: "x", secretKey: "y")
    }
    #expect(error.description.hasPrefix("setsockopt ZMQ_CURVE_SERVERKEY: "))
  }
}
