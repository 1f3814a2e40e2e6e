import Foundation
import Testing

@testable import ZMQWrap

@Suite struct PollerTests {
  @Test func timesOutAfterRoughlyTheRequestedTime() throws {
    let context = try Context()
    let socket = try openSocket(context, .pair)
    _ = try TestTransport.inproc.bind(socket)
    var poller = Poller()
    let index = poller.addReadable(socket)
    let clock = ContinuousClock()
    let start = clock.now
    #expect(try poller.poll(timeoutMilliseconds: 200) == 0)
    let elapsed = clock.now - start
    #expect(elapsed >= .milliseconds(150))
    #expect(elapsed < .seconds(3))
    #expect(!poller.isReadable(index))
  }

  @Test func zeroTimeoutReturnsAtOnce() throws {
    let context = try Context()
    let socket = try openSocket(context, .pair)
    _ = try TestTransport.inproc.bind(socket)
    var poller = Poller()
    poller.addReadable(socket)
    let clock = ContinuousClock()
    let start = clock.now
    #expect(try poller.poll(timeoutMilliseconds: 0) == 0)
    #expect(clock.now - start < .seconds(1))
  }

  @Test func reportsWhichSocketIsReadable() throws {
    let context = try Context()
    let quiet = try openSocket(context, .pair)
    _ = try TestTransport.inproc.bind(quiet)
    let busy = try openSocket(context, .pair)
    let endpoint = try TestTransport.inproc.bind(busy)
    let sender = try openSocket(context, .pair)
    try sender.connect(endpoint)

    var poller = Poller()
    let quietIndex = poller.addReadable(quiet)
    let busyIndex = poller.addReadable(busy)
    try sender.send([Array("hello".utf8)])
    let clock = ContinuousClock()
    let start = clock.now
    #expect(try poller.poll(timeoutMilliseconds: 10_000) == 1)
    #expect(clock.now - start < .seconds(5))
    #expect(poller.isReadable(busyIndex))
    #expect(!poller.isReadable(quietIndex))
    #expect(try busy.receiveMultipart(dontWait: true) == [Array("hello".utf8)])
  }

  @Test func watchesAFileDescriptor() throws {
    var fds: [Int32] = [0, 0]
    try #require(pipe(&fds) == 0)
    defer {
      close(fds[0])
      close(fds[1])
    }
    var poller = Poller()
    let index = poller.addReadable(fileDescriptor: fds[0])
    #expect(try poller.poll(timeoutMilliseconds: 0) == 0)
    var byte: UInt8 = 1
    try #require(write(fds[1], &byte, 1) == 1)
    #expect(try poller.poll(timeoutMilliseconds: 5000) == 1)
    #expect(poller.isReadable(index))
  }
}
