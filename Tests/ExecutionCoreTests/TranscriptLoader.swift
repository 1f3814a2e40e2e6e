import Foundation
import JupyterProtocol

@testable import ExecutionCore

/// Test-side adapter: a recorded IOPub transcript (`tools/record_transcripts.py`, one JSON
/// object per line with raw `header`, `parent_header`, `content` and a receive time
/// `t_ms`) → the core's inputs. Kept small and isolated so it can switch to the real wire
/// decoder (Protocol/) later.
enum TranscriptLoader {
  struct LoadError: Error, CustomStringConvertible {
    var description: String
  }

  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/transcripts")

  /// The transcript `name` (`success` → `success.jsonl`) as timed core inputs.
  static func load(_ name: String) throws -> [(message: IOPubMessage, at: ClockReading)] {
    let url = directory.appendingPathComponent("\(name).jsonl")
    let text = try String(contentsOf: url, encoding: .utf8)
    // Each record is serialised back into wire frames and goes through the real
    // decoder (unsigned, as with an empty key), so the transcripts test it too.
    var decoder = IOPubDecoder(signer: MessageSigner(scheme: .hmacSHA256, key: Secret("")))
    return try text.split(separator: "\n").enumerated().map { index, line in
      guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let tMs = record["t_ms"] as? Double
      else {
        throw LoadError(description: "\(name).jsonl line \(index + 1): not a transcript record")
      }
      let parts = try ["header", "parent_header", "metadata", "content"].map { key in
        Array(try JSONSerialization.data(withJSONObject: record[key] ?? [String: Any]()))
      }
      let frames = OwnedFrames([Array("topic".utf8), wireDelimiter, []] + parts)
      guard case .success(let message) = decoder.decode(frames) else {
        throw LoadError(description: "\(name).jsonl line \(index + 1): rejected by the decoder")
      }
      return (message, ClockReading(milliseconds: Int64(tMs.rounded())))
    }
  }
}
