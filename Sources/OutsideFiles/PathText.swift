import Foundation

/// Paths as text: made absolute and normalised without touching the file
/// system (a notebook path from the server, a kernelspec's argv[0]).
package enum PathText {
  package static func absolute(_ path: String, relativeTo directory: String) -> String {
    normalised(path.hasPrefix("/") ? path : join(directory, path))
  }

  package static func join(_ directory: String, _ path: String) -> String {
    normalised((directory as NSString).appendingPathComponent(path))
  }

  /// Removes `.`, `..` and repeated slashes without touching the file system.
  package static func normalised(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
      switch part {
      case ".": continue
      case "..": if !parts.isEmpty { parts.removeLast() }
      default: parts.append(part)
      }
    }
    let joined = parts.joined(separator: "/")
    return path.hasPrefix("/") ? "/" + joined : joined
  }
}
