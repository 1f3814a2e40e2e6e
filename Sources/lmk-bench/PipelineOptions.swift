/// The command line of `lmk-bench pipeline`.
struct PipelineOptions {
  /// A kernel connection file naming the publisher's IOPub port and HMAC key.
  var connectionFile = ""
  /// Stop after this many messages (the publisher sends exactly this many).
  var count = 0
  /// Give up when nothing arrives for this long (lost messages must not hang the run).
  var idleTimeoutMilliseconds = 5000

  init(parsing arguments: [String]) throws {
    var rest = arguments[...]
    while let flag = rest.popFirst() {
      guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
      switch flag {
      case "--connection-file": connectionFile = value
      case "--count": count = try Self.positive(value, flag)
      case "--idle-timeout-ms": idleTimeoutMilliseconds = try Self.positive(value, flag)
      default: throw BenchError("unknown option \(flag)\n\(usage)")
      }
    }
    if connectionFile.isEmpty || count == 0 { throw BenchError(usage) }
  }

  private static func positive(_ value: String, _ flag: String) throws -> Int {
    guard let number = Int(value), number > 0 else {
      throw BenchError("\(flag) wants a positive integer")
    }
    return number
  }
}
