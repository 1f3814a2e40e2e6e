import Foundation

@testable import JupyterBridge

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
    return try text.split(separator: "\n").enumerated().map { index, line in
      guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let header = record["header"] as? [String: Any],
        let msgType = header["msg_type"] as? String,
        let tMs = record["t_ms"] as? Double
      else {
        throw LoadError(description: "\(name).jsonl line \(index + 1): not a transcript record")
      }
      let parent = record["parent_header"] as? [String: Any] ?? [:]
      let content = record["content"] as? [String: Any] ?? [:]
      let parentId = (parent["msg_id"] as? String).flatMap { $0.isEmpty ? nil : $0 }
      let message = IOPubMessage(
        content: decode(msgType: msgType, content: content),
        parentMsgId: parentId,
        parentMsgType: parent["msg_type"] as? String,
        subshellId: header["subshell_id"] as? String ?? parent["subshell_id"] as? String,
        date: (header["date"] as? String).flatMap(kernelTime(iso8601:)))
      return (message, ClockReading(milliseconds: Int64(tMs.rounded())))
    }
  }

  private static func decode(msgType: String, content: [String: Any]) -> IOPubMessage.Content {
    switch msgType {
    case "status":
      if let state = (content["execution_state"] as? String).flatMap(ExecutionState.init(rawValue:))
      {
        return .status(state)
      }
    case "execute_input":
      if let code = content["code"] as? String, let count = content["execution_count"] as? Int {
        return .executeInput(code: code, executionCount: count)
      }
    case "error":
      return .error(
        ename: content["ename"] as? String ?? "", evalue: content["evalue"] as? String ?? "",
        traceback: content["traceback"] as? [String] ?? [])
    case "shutdown_reply", "shutdown":
      return .shutdown
    case "iopub_welcome":
      return .welcome(subscription: content["subscription"] as? String ?? "")
    default:
      break
    }
    return .other(msgType: msgType)
  }

  /// `2025-01-23T21:23:15.387123Z` (or with `+HH:MM`) → KernelTime, to the millisecond.
  static func kernelTime(iso8601 text: String) -> KernelTime? {
    let c = Array(text.utf8)
    func number(_ from: Int, _ count: Int) -> Int? {
      guard from + count <= c.count else { return nil }
      return Int(String(decoding: c[from..<from + count], as: UTF8.self))
    }
    guard c.count >= 19, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
    else { return nil }
    var i = 19
    var millisecond = 0
    if i < c.count, c[i] == UInt8(ascii: ".") {
      i += 1
      var digits = 0
      while i < c.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c[i]) {
        if digits < 3 { millisecond = millisecond * 10 + Int(c[i] - UInt8(ascii: "0")) }
        digits += 1
        i += 1
      }
      for _ in digits..<max(digits, 3) { millisecond *= 10 }
    }
    var offsetMinutes = 0
    if i < c.count, c[i] == UInt8(ascii: "+") || c[i] == UInt8(ascii: "-"),
      let h = number(i + 1, 2), let m = number(i + 4, 2)
    {
      offsetMinutes = (h * 60 + m) * (c[i] == UInt8(ascii: "-") ? -1 : 1)
    }
    let local = KernelTime(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second,
      millisecond: millisecond)
    return KernelTime(
      millisecondsSince1970: local.millisecondsSince1970 - Int64(offsetMinutes) * 60_000)
  }
}
