/// Monitoring settings written in a cell (docs/BEHAVIOUR.md, "Settings").
///
/// Syntax — one or more lines anywhere in the cell, in any language's
/// line-comment form:
///
///     # lmk: notify=stop channel=sms min=60
///     // lmk: notify=error
///     -- lmk: min=2m
///     ;; lmk: channel=ch-email
///     % lmk: notify=none
///
/// - The line starts (after blanks) with a comment marker `#`, `//`, `--`, `;`
///   or `%`, possibly repeated (`##`, `;;`, `%%`), then optional blanks, then
///   `lmk:` (any case), then blank-separated `key=value` pairs.
/// - `notify=none|error|stop` sets `notifyOn`.
/// - `channel=<id or name>` picks the notification channel (the runtime resolves names).
/// - `min=<duration>` sets the minimum run duration: whole seconds (`90`), or with a
///   unit `s`, `m`, `h` (`90s`, `2m`, `1h`).
/// - `memory=<fraction>` sets `memoryWarning`: a fraction of the memory limit,
///   more than 0 and at most 1 (`memory=0.9`).
/// - Unknown keys and invalid values are ignored, so a typo never breaks a notebook,
///   and each is described in `problems` (the runtime logs them), never silent.
///
/// A directive applies from the run of the cell that carries it on (the core
/// decides at the end of that run), and later directives override earlier ones key by key.
public struct CellDirective: Sendable, Equatable {
  public var notifyOn: NotifyOn?
  public var notifyChannel: String?
  public var minDurationMilliseconds: Int64?
  public var memoryWarning: Double?
  /// One line per key that was ignored: the directive, the key, what was expected.
  public var problems: [String] = []

  public init(
    notifyOn: NotifyOn? = nil, notifyChannel: String? = nil, minDurationMilliseconds: Int64? = nil,
    memoryWarning: Double? = nil
  ) {
    self.notifyOn = notifyOn
    self.notifyChannel = notifyChannel
    self.minDurationMilliseconds = minDurationMilliseconds
    self.memoryWarning = memoryWarning
  }

  /// The directives in `code`, merged in order; nil when the cell carries none.
  public static func parse(code: String) -> CellDirective? {
    var result = CellDirective()
    var found = false
    for line in code.split(whereSeparator: \.isNewline) {
      guard let pairs = directiveBody(of: line) else { continue }
      found = true
      let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
      let trimmed = line.drop(while: blank).reversed().drop(while: blank).reversed()
      let directive = TextBounds.truncated(String(trimmed), to: 120)
      for token in pairs.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
        if let problem = result.apply(token: token) {
          result.problems.append("cell directive \"\(directive)\": \(problem)")
        }
      }
    }
    return found ? result : nil
  }

  /// `later`'s keys override this directive's.
  public mutating func merge(_ later: CellDirective) {
    notifyOn = later.notifyOn ?? notifyOn
    notifyChannel = later.notifyChannel ?? notifyChannel
    minDurationMilliseconds = later.minDurationMilliseconds ?? minDurationMilliseconds
    memoryWarning = later.memoryWarning ?? memoryWarning
  }

  /// `settings` with this directive's keys applied on top.
  public func applied(to settings: NotificationPolicy) -> NotificationPolicy {
    var s = settings
    s.notifyOn = notifyOn ?? s.notifyOn
    s.notifyChannel = notifyChannel ?? s.notifyChannel
    s.minDurationMilliseconds = minDurationMilliseconds ?? s.minDurationMilliseconds
    s.memoryWarning = memoryWarning ?? s.memoryWarning
    return s
  }

  /// The text after `lmk:` when `line` is a directive line.
  private static func directiveBody(of line: Substring) -> Substring? {
    var rest = line.drop(while: { $0 == " " || $0 == "\t" })
    guard let marker = rest.first, "#/-;%".contains(marker) else { return nil }
    let markerRun = rest.prefix(while: { $0 == marker })
    if (marker == "/" || marker == "-") && markerRun.count < 2 { return nil }
    rest = rest.dropFirst(markerRun.count).drop(while: { $0 == " " || $0 == "\t" })
    guard rest.prefix(4).lowercased() == "lmk:" else { return nil }
    return rest.dropFirst(4)
  }

  /// The keys a directive knows, for "did you mean".
  static let keys = ["notify", "channel", "min", "memory"]

  /// Applies one `key=value`; returns what was wrong with it, if anything.
  private mutating func apply(token: Substring) -> String? {
    guard let eq = token.firstIndex(of: "=") else {
      return "\"\(token.prefix(40))\" ignored: expected key=value"
    }
    let key = token[..<eq].lowercased()
    let value = token[token.index(after: eq)...]
    let shownKey = String(token[..<eq].prefix(40))
    guard !value.isEmpty else { return "\(shownKey) ignored: no value after \"=\"" }
    let shownValue = String(value.prefix(40))
    switch key {
    case "notify":
      guard let n = NotifyOn(rawValue: value.lowercased()) else {
        return "notify ignored: expected none, error or stop (got \"\(shownValue)\")"
      }
      notifyOn = n
    case "channel":
      notifyChannel = TextBounds.truncated(String(value), to: 200)
    case "min":
      guard let ms = Self.milliseconds(duration: value) else {
        return
          "min ignored: expected a duration such as 90, 90s, 2m or 1h (got \"\(shownValue)\")"
      }
      minDurationMilliseconds = ms
    case "memory":
      guard value.allSatisfy(\.isASCII), let fraction = Double(value),
        NotificationPolicy.isValidMemoryWarning(fraction)
      else {
        return
          "memory ignored: expected a fraction of the memory limit, more than 0 and at most 1 (got \"\(shownValue)\")"
      }
      memoryWarning = fraction
    default:
      return
        "unknown key \(shownKey) ignored\(KeySuggestion.hint(for: String(key), among: Self.keys)) (known: notify, channel, min, memory)"
    }
    return nil
  }

  /// `90`, `90s`, `2m`, `1h` → milliseconds; nil for anything else or an absurd value.
  static func milliseconds(duration: Substring) -> Int64? {
    var digits = duration
    var unit: Int64 = 1_000
    switch duration.last {
    case "s"?, "S"?: digits = duration.dropLast()
    case "m"?, "M"?:
      digits = duration.dropLast()
      unit = 60_000
    case "h"?, "H"?:
      digits = duration.dropLast()
      unit = 3_600_000
    default: break
    }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int64(digits), n >= 0 else {
      return nil
    }
    let (ms, overflow) = n.multipliedReportingOverflow(by: unit)
    return overflow ? nil : ms
  }
}
