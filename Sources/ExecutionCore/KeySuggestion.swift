/// The "did you mean" of every settings layer (config file, `metadata.lmk`, cell
/// directives): one rule, so a typo gets the same help wherever it is made.
public enum KeySuggestion {
  /// ` (did you mean "notifyOn"?)` for a key that differs from a known one only in case or
  /// by up to two edits (one for short keys); "" when nothing is close.
  public static func hint(for key: String, among known: [String]) -> String {
    guard let match = closest(to: key, among: known) else { return "" }
    return " (did you mean \"\(match)\"?)"
  }

  static func closest(to key: String, among known: [String]) -> String? {
    let lowered = Array(key.lowercased())
    if let same = known.first(where: { $0.lowercased() == key.lowercased() }) { return same }
    // Bounded input: a key longer than any known one plus the allowance is no typo of it.
    guard lowered.count <= 64 else { return nil }
    let allowance = lowered.count <= 4 ? 1 : 2
    let scored = known.map { ($0, distance(lowered, Array($0.lowercased()))) }
    return scored.filter { $0.1 <= allowance }.min { $0.1 < $1.1 }?.0
  }

  /// Levenshtein distance (insert, delete, substitute), two rows of memory.
  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
        current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
