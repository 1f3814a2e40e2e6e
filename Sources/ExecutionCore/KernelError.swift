/// What the bridge keeps of an IOPub `error` message: cleaned and bounded.
public struct KernelError: Sendable, Equatable {
  /// Exception names that mean "the user interrupted", per kernel: ipykernel's
  /// `KeyboardInterrupt` (and `CancelledError` for async cells), IJulia's
  /// `InterruptException`. Matched on the last dotted component, so
  /// `asyncio.exceptions.CancelledError` counts too.
  public static let interruptNames: Set<String> = [
    "KeyboardInterrupt", "CancelledError", "InterruptException",
  ]
  /// Limit of `summary` (the session's `cellError`), in characters.
  public static let summaryLimit = 1_000
  /// How many trailing traceback lines are kept, each cut to `tracebackLineLimit`.
  public static let tracebackLineCount = 12
  public static let tracebackLineLimit = 300

  /// Normalised exception name (xeus-python's `<class 'ZeroDivisionError'>` → `ZeroDivisionError`).
  public var ename: String
  /// Exception value, ANSI stripped.
  public var evalue: String
  /// The last traceback lines, ANSI stripped, oldest first.
  public var tracebackTail: [String]

  public init(ename: String, evalue: String, traceback: [String]) {
    self.ename = Self.normalised(ename: ename)
    // Strip before cutting: a cut inside an escape sequence would swallow the marker.
    self.evalue = TextBounds.truncated(TextBounds.strippingANSI(evalue), to: Self.summaryLimit)
    self.tracebackTail = Self.tail(of: traceback)
  }

  /// `"<ename>: <evalue>"` as the official client sends it, bounded by `summaryLimit`,
  /// where the kernel's fields say that much (docs/BEHAVIOUR.md, "Semantics"):
  /// bash_kernel's nameless error with an exit status is `exit status 2`; IRkernel's
  /// `ERROR` with `Error in f(): boom` is the message alone; a name without a value
  /// is the name.
  public var summary: String {
    let value = evalue.trimmingBlanks
    let text: String
    if ename.isEmpty {
      text = !value.isEmpty && value.allSatisfy(\.isASCIIDigit) ? "exit status \(value)" : value
    } else if value.isEmpty {
      text = ename
    } else if value.lowercased().hasPrefix(ename.lowercased()) {
      text = value
    } else {
      text = "\(ename): \(value)"
    }
    return TextBounds.truncated(text, to: Self.summaryLimit)
  }

  /// Whether this error is the kernel's way of reporting an interrupt.
  public var isInterrupt: Bool {
    let last = ename.split(separator: ".").last.map(String.init) ?? ename
    return Self.interruptNames.contains(last)
  }

  static func normalised(ename raw: String) -> String {
    let name = raw.trimmingBlanks
    let prefix = "<class '"
    let suffix = "'>"
    guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count
    else { return TextBounds.truncated(name, to: 200) }
    return TextBounds.truncated(
      String(name.dropFirst(prefix.count).dropLast(suffix.count)), to: 200)
  }

  private static func tail(of traceback: [String]) -> [String] {
    // Entries may hold several lines each (ipykernel puts one frame per entry).
    var lines: [String] = []
    for entry in traceback.reversed() {
      let entryLines = TextBounds.strippingANSI(entry)
        .split(separator: "\n", omittingEmptySubsequences: false)
        .reversed().drop(while: { $0.trimmingBlanks.isEmpty }).reversed()
      for line in entryLines.reversed() {
        let text = String(line)
        if lines.isEmpty && text.trimmingBlanks.isEmpty { continue }
        lines.append(TextBounds.truncated(text, to: tracebackLineLimit))
        if lines.count == tracebackLineCount { return lines.reversed() }
      }
    }
    return lines.reversed()
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
  /// The string without leading and trailing spaces, tabs and line breaks.
  var trimmingBlanks: String {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
    guard let first = firstIndex(where: { !isBlank($0) }),
      let last = lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(self[first...last])
  }
}
