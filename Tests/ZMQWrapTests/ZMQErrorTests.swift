import Foundation
import Testing

@testable import ZMQWrap

@Suite struct ZMQErrorTests {
  @Test(arguments: [
    ("tcp://127.0.0.1", EINVAL),
    ("tcp://127.0.0.1:notaport", EINVAL),
    ("nonsense", EINVAL),
    ("bogus://127.0.0.1:5555", EPROTONOSUPPORT),
  ])
  func malformedEndpointErrorCarriesStrerrorText(endpoint: String, code: Int32) throws {
    let context = try Context()
    let socket = try openSocket(context, .dealer)
    let error = try #require(throws: ZMQError.self) { try socket.connect(endpoint) }
    #expect(error.code == code)
    #expect(error.operation == "connect \(endpoint)")
    #expect(error.description == "connect \(endpoint): \(String(cString: strerror(code)))")
  }

  @Test func bindingAPortInUseIsAnError() throws {
    let context = try Context()
    let first = try openSocket(context, .router)
    let endpoint = try TestTransport.tcp.bind(first)
    let second = try openSocket(context, .router)
    let error = try #require(throws: ZMQError.self) { try second.bind(endpoint) }
    #expect(error.code == EADDRINUSE)
    #expect(error.description == "bind \(endpoint): Address already in use")
  }

  @Test func flags() {
    #expect(ZMQError(code: EAGAIN, operation: "x").wouldBlock)
    #expect(ZMQError(code: EINTR, operation: "x").interrupted)
    #expect(!ZMQError(code: EINVAL, operation: "x").interrupted)
  }
}
