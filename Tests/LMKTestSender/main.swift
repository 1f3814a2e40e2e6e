// A separate process driving LMKService, so tests can SIGKILL a sender mid-delivery and run
// several processes against one config file. Configured entirely by the environment
// (LMK_CONFIG_PATH, LMK_SERVER_URL, XDG_DATA_HOME…).
//
//   lmk-test-sender post      one event per stdin line; prints "delivered|queued|rejected <line>"
//   lmk-test-sender deliver   sends the outbox; prints "report <delivered> <remaining> <rejected>"
//   lmk-test-sender whoami    prints "app <name>"
import Foundation
import LMKClient
import Logging

func emit(_ line: String) { FileHandle.standardOutput.write(Data("\(line)\n".utf8)) }

var logger = Logger(label: "lmk-test-sender")
logger.logLevel = .info
var configuration = LMKConfiguration()
configuration.retry = RetryPolicy(
  maxAttempts: 2, initialDelay: .milliseconds(100), maxDelay: .milliseconds(200),
  totalBudget: .seconds(2))
do {
  let service = try LMKService(configuration: configuration, logger: logger)
  switch CommandLine.arguments.dropFirst().first {
  case "post":
    while let line = readLine() {
      do {
        switch try await service.postEvent(.init(message: line, contentType: .text_sol_plain)) {
        case .delivered: emit("delivered \(line)")
        case .queued: emit("queued \(line)")
        }
      } catch {
        emit("rejected \(line)")
      }
    }
  case "deliver":
    let report = await service.deliverPending()
    emit("report \(report.delivered) \(report.remaining) \(report.rejected)")
  case "whoami":
    emit("app \(try await service.currentApp().name)")
  default:
    emit("usage: lmk-test-sender post|deliver|whoami")
    exit(2)
  }
} catch {
  emit("error \(error)")
  exit(1)
}
