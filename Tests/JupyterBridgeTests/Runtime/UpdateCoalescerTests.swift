import Testing

@testable import JupyterBridge

@Suite struct UpdateCoalescerTests {
  @Test func firstOfferIsSentAtOnce() {
    var coalescer = UpdateCoalescer<Int>()
    #expect(coalescer.offer(1) == 1)
    #expect(coalescer.inFlight)
    #expect(coalescer.completed() == nil)
    #expect(coalescer.isIdle)
  }

  @Test func offersDuringAFlightCollapseToTheLatest() {
    var coalescer = UpdateCoalescer<Int>()
    #expect(coalescer.offer(1) == 1)
    for value in 2...50 { #expect(coalescer.offer(value) == nil) }
    #expect(coalescer.completed() == 50)
    #expect(!coalescer.isIdle)
    #expect(coalescer.completed() == nil)
    #expect(coalescer.isIdle)
  }

  @Test func theFinalStateIsAlwaysDelivered() {
    // Whatever the interleaving, the last value offered is the last one sent.
    var coalescer = UpdateCoalescer<Int>()
    var sent: [Int] = []
    for value in 1...20 {
      if let now = coalescer.offer(value) { sent.append(now) }
      if value % 3 == 0, let next = coalescer.completed() { sent.append(next) }
    }
    while let next = coalescer.completed() { sent.append(next) }
    #expect(sent.last == 20)
    #expect(sent == sent.sorted())
  }
}
