#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A shell-style path pattern for per-notebook rules, matched with `fnmatch(3)`.
///
/// Rules:
/// - a pattern containing `/` is matched against the notebook's absolute path, and
///   `*` and `?` **do** cross `/` (no `FNM_PATHNAME`), so `*/experiments/*` matches
///   every notebook below any `experiments` folder, however deep;
/// - a pattern without `/` is matched against the file name only (`train-*.ipynb`);
/// - a leading `~/` stands for the home directory;
/// - any other relative pattern with a `/` matches the end of the path:
///   `experiments/*.ipynb` is `*/experiments/*.ipynb`;
/// - `[abc]`, `[!abc]` and `\` escapes work as in the shell; matching is case-sensitive.
public struct PathGlob: Sendable, Equatable {
  /// The pattern as the user wrote it (shown in provenance).
  public var pattern: String
  /// The pattern actually matched (after `~/` expansion).
  public var expanded: String

  public init(_ pattern: String, homeDirectory: String?) {
    self.pattern = pattern
    if pattern.hasPrefix("~/"), let homeDirectory {
      let home = homeDirectory.hasSuffix("/") ? String(homeDirectory.dropLast()) : homeDirectory
      expanded = home + pattern.dropFirst()
    } else if pattern.contains("/"), !pattern.hasPrefix("/"), !pattern.hasPrefix("*") {
      expanded = "*/" + pattern
    } else {
      expanded = pattern
    }
  }

  /// Whether the notebook at `absolutePath` matches.
  public func matches(_ absolutePath: String) -> Bool {
    let subject: Substring
    if expanded.contains("/") {
      subject = Substring(absolutePath)
    } else {
      subject = absolutePath.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
    }
    return fnmatch(expanded, String(subject), 0) == 0
  }
}
