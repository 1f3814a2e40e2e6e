/// Renders a `NotificationIntent` as the markdown message of docs/BEHAVIOUR.md, "Semantics", close to
/// the official client's format:
///
///     Notebook [**train.ipynb**](https://…) **failed** during execution **\[12\]**.
///
///     ```python
///     1 / 0
///     ```
///
///     Error:
///     ```
///     ZeroDivisionError: division by zero
///     ```
///
///     Started: 2025-01-23 21:23:15 UTC
///
///     Ended: 2025-01-23 21:25:20 UTC
///
///     Duration: 2 minutes 5 seconds
///
/// Size: at most `maximumCharacters` characters. The parts are bounded one by one
/// (name 200, URL 500, cell source block 1500, error block 1100, fences included) so
/// code fences always stay closed; an error block keeps its end, where the error is.
public enum NotificationRenderer {
  /// Upper bound of a message, in characters: an email or push is read at a glance,
  /// and SMS channels cut long texts anyway.
  public static let maximumCharacters = 4_000
  static let nameLimit = 200
  static let urlLimit = 500
  static let languageLimit = 30
  /// The cell source block, fences included.
  static let codeBlockLimit = 1_500
  /// The error block (the error and the traceback tail), fences included.
  static let errorBlockLimit = 1_100

  /// The markdown message.
  public static func markdown(for intent: NotificationIntent, context: NotificationContext)
    -> String
  {
    var paragraphs = [headline(for: intent, context: context)]
    if let cell = intent.cell {
      paragraphs.append(codeBlock(cell.code, language: context.language))
    }
    if let errorText = errorText(for: intent) {
      paragraphs.append(
        "Error:\n" + block(errorText, tag: "", limit: errorBlockLimit, keepingEnd: true))
    }
    if let startedAt = intent.startedAt { paragraphs.append("Started: \(startedAt.readableUTC)") }
    if let finishedAt = intent.finishedAt { paragraphs.append("Ended: \(finishedAt.readableUTC)") }
    if let duration = intent.durationMilliseconds {
      paragraphs.append("Duration: \(words(forDuration: duration))")
    }
    if let memory = intent.memory { paragraphs.append(memory.description) }
    return paragraphs.joined(separator: "\n\n")
  }

  /// A duration in words: `0.4 seconds`, `12 seconds`, `2 minutes 5 seconds`, `1 hour 3 minutes`.
  public static func words(forDuration milliseconds: Int64) -> String {
    let ms = max(0, milliseconds)
    if ms < 10_000 {
      let tenths = (ms + 50) / 100
      return tenths % 10 == 0
        ? plural(tenths / 10, "second") : "\(tenths / 10).\(tenths % 10) seconds"
    }
    let units: [(Int64, String)] = [
      (86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second"),
    ]
    var rest = ms / 1_000
    var parts: [String] = []
    for (size, name) in units {
      let n = rest / size
      rest %= size
      if n > 0 || !parts.isEmpty { parts.append(plural(n, name)) }
      if parts.count == 2 { break }
    }
    return parts.filter { !$0.hasPrefix("0 ") }.joined(separator: " ")
  }

  private static func plural(_ n: Int64, _ unit: String) -> String {
    n == 1 ? "1 \(unit)" : "\(n) \(unit)s"
  }

  private static func headline(for intent: NotificationIntent, context: NotificationContext)
    -> String
  {
    guard let notebookName = context.notebookName else {
      return kernelHeadline(for: intent, kernelName: context.kernelName)
    }
    let name = bold(notebookName)
    // A cut URL leads nowhere: an overlong one is left out, the name stays.
    let target = context.url.map(linkTarget).flatMap { $0.count <= urlLimit ? $0 : nil }
    let notebook = target.map { "[\(name)](\($0))" } ?? name
    let separator = isDeath(intent) || isWarning(intent) ? ": " : " "
    // A warning comes while the run goes on: its count of cells is not final.
    let cells =
      intent.cellCount > 1 && !isWarning(intent) ? " (a run of \(intent.cellCount) cells)" : ""
    return "Notebook \(notebook)\(separator)\(outcome(intent, death: "**kernel died**"))\(cells)."
  }

  /// The headline when the notebook is unknown (docs/BEHAVIOUR.md, "Settings"): the run or the
  /// kernel is the subject, as in "A run on the **python3-lmk** kernel **failed** …".
  private static func kernelHeadline(for intent: NotificationIntent, kernelName: String)
    -> String
  {
    let kernel = "\(bold(kernelName)) kernel"
    if isDeath(intent) { return "The \(kernel) \(outcome(intent, death: "**died**"))." }
    if isWarning(intent) { return "The \(kernel): \(outcome(intent, death: "**died**"))." }
    let run =
      intent.cellCount > 1
      ? "A run of \(intent.cellCount) cells on the \(kernel)" : "A run on the \(kernel)"
    return "\(run) \(outcome(intent, death: "**died**"))."
  }

  /// What happened, in bold, and during which execution: "**failed** during execution **\\[2\\]**".
  private static func outcome(_ intent: NotificationIntent, death: String) -> String {
    let cellPart = intent.cell.map { " execution **\\[\($0.executionCount)\\]**" }
    switch intent.outcome {
    case .finished: return "**finished**" + (cellPart.map { " after" + $0 } ?? "")
    case .failed: return "**failed**" + (cellPart.map { " during" + $0 } ?? "")
    case .cancelled: return "**was cancelled**" + (cellPart.map { " during" + $0 } ?? "")
    case .kernelDied: return death + (cellPart.map { " during" + $0 } ?? " while idle")
    case .memoryWarning(let warning): return "\(warning)" + (cellPart.map { " during" + $0 } ?? "")
    }
  }

  /// A name on one line, bounded and escaped, in bold.
  private static func bold(_ name: String) -> String {
    "**\(escaped(TextBounds.truncated(oneLine(name), to: nameLimit)))**"
  }

  private static func isDeath(_ intent: NotificationIntent) -> Bool {
    if case .kernelDied = intent.outcome { return true }
    return false
  }

  private static func isWarning(_ intent: NotificationIntent) -> Bool {
    if case .memoryWarning = intent.outcome { return true }
    return false
  }

  private static func errorText(for intent: NotificationIntent) -> String? {
    switch intent.outcome {
    case .kernelDied(let description):
      return description
    case .failed:
      guard let error = intent.cell?.error else { return nil }
      var lines = error.tracebackTail
      let summary = error.summary
      // The summary closes the block unless the traceback already says it (IRkernel
      // puts the message first, then the calls).
      if !lines.contains(where: { $0.trimmingBlanks == summary.trimmingBlanks }) {
        lines.append(summary)
      }
      // Keep the end (where the error is) when the tail is too long.
      var text = ""
      for line in lines.reversed() {
        let candidate = text.isEmpty ? line : line + "\n" + text
        if candidate.count > errorBlockLimit { break }
        text = candidate
      }
      return text.isEmpty ? summary : text
    case .finished, .cancelled, .memoryWarning:
      return nil
    }
  }

  /// The cell source in a fence tagged with the language, within `codeBlockLimit`.
  private static func codeBlock(_ code: String, language: String?) -> String {
    let tag = String(
      (language ?? "").lowercased()
        .filter { $0.isASCII && ($0.isLetter || $0.isNumber || "+-_#.".contains($0)) }
        .prefix(languageLimit))
    return block(code, tag: tag, limit: codeBlockLimit, keepingEnd: false)
  }

  /// `text` fenced, the whole block (fences included) within `limit` characters: the
  /// text is cut (its start, or its end when `keepingEnd` is false) until it fits.
  private static func block(_ text: String, tag: String, limit: Int, keepingEnd: Bool) -> String {
    var textLimit = limit
    while true {
      let body =
        keepingEnd
        ? TextBounds.truncatedKeepingEnd(text, to: max(0, textLimit))
        : TextBounds.truncated(text, to: max(0, textLimit))
      let fencedBody = fenced(body, tag: tag)
      if fencedBody.count <= limit || textLimit <= 0 { return fencedBody }
      textLimit -= fencedBody.count - limit
    }
  }

  /// `text` in a backtick fence longer than any backtick run inside it.
  private static func fenced(_ text: String, tag: String) -> String {
    var longest = 0
    var current = 0
    for c in text {
      current = c == "`" ? current + 1 : 0
      longest = max(longest, current)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    return "\(fence)\(tag)\n\(text)\n\(fence)"
  }

  private static func oneLine(_ text: String) -> String {
    String(text.map { $0.isNewline ? " " : $0 })
  }

  /// Backslash-escapes markdown punctuation so a file name renders as itself.
  private static func escaped(_ text: String) -> String {
    var out = ""
    for c in text {
      if "\\`*_[]<>#|~".contains(c) { out.append("\\") }
      out.append(c)
    }
    return out
  }

  /// Percent-encodes the characters that would end or break a markdown link target.
  private static func linkTarget(_ url: String) -> String {
    var out = ""
    for c in url {
      switch c {
      case " ": out += "%20"
      case "(": out += "%28"
      case ")": out += "%29"
      case "<": out += "%3C"
      case ">": out += "%3E"
      default: if !c.isNewline { out.append(c) }
      }
    }
    return out
  }
}
