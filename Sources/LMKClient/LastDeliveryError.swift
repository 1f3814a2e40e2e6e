import Foundation
import OutsideFiles

/// The newest failure to deliver something to LMK, kept in a small 0600 file
/// (`last-delivery-error` beside the outbox) so `jupyter-lmk status` can say why
/// nothing arrives. It holds an `LMKError` description: no token, no URL userinfo.
public struct DeliveryError: Sendable, Equatable, Codable {
  public var at: String
  public var operation: String
  public var message: String
}

extension Outbox {
  public var lastErrorPath: String { "\(dataDirectory)/last-delivery-error" }

  /// Records `error` as the last delivery error (best effort: a full disk only logs).
  func recordDeliveryError(_ error: LMKError, operation: String) {
    let record = DeliveryError(
      at: Date().iso8601Milliseconds, operation: operation,
      message: String(redactedURL("\(error)").prefix(1000)))
    do {
      try makeDirectory(dataDirectory, mode: 0o700)
      try writeAtomically(try JSONEncoder().encode(record), to: lastErrorPath, mode: 0o600)
    } catch {
      logger.debug("could not record the last LMK delivery error: \(error)")
    }
  }

  public func lastDeliveryError() -> DeliveryError? {
    (try? BoundedFileRead.contents(ofRegularFile: lastErrorPath, limit: 64 << 10)).flatMap {
      try? JSONDecoder().decode(DeliveryError.self, from: $0)
    }
  }
}
