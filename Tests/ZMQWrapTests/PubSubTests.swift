import Testing
@testable import ZMQWrap

@Suite struct PubSubTests {
  @Test func libzmqHasCurve() {
    #expect(zmqHas("curve"))
  }
}
