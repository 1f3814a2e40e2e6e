import Foundation

/// Finds a running kernel's connection file the way `jupyter console --existing` does.
public enum ConnectionFileLocator {
  /// Jupyter's runtime directory: `$JUPYTER_RUNTIME_DIR`, else `<data dir>/runtime`
  /// with the data dir `$JUPYTER_DATA_DIR` or `~/.local/share/jupyter`.
  public static func runtimeDirectory(environment: [String: String]) -> String {
    if let dir = environment["JUPYTER_RUNTIME_DIR"], !dir.isEmpty { return dir }
    if let data = environment["JUPYTER_DATA_DIR"], !data.isEmpty { return data + "/runtime" }
    let home = environment["HOME"] ?? NSHomeDirectory()
    let xdg =
      environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
    return xdg + "/jupyter/runtime"
  }

  public struct NotFound: Error, CustomStringConvertible {
    public let pattern: String
    public let directory: String
    public var description: String {
      "no kernel connection file matching '\(pattern)' in \(directory) (is the kernel running? pass --connection-file)"
    }
  }

  /// `id` nil: the newest `kernel-*.json`. Otherwise an existing path, or the
  /// newest file in the runtime directory whose name contains `id`.
  public static func find(id: String?, environment: [String: String]) throws -> String {
    if let id, id.contains("/"), FileManager.default.fileExists(atPath: id) { return id }
    let directory = runtimeDirectory(environment: environment)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let candidates = names.filter { name in
      guard name.hasSuffix(".json") else { return false }
      if let id { return name.contains(id) }
      return name.hasPrefix("kernel-")
    }
    let newest = candidates.map { directory + "/" + $0 }.max { a, b in
      modificationTime(a) < modificationTime(b)
    }
    guard let newest else {
      throw NotFound(pattern: id.map { "*\($0)*.json" } ?? "kernel-*.json", directory: directory)
    }
    return newest
  }

  private static func modificationTime(_ path: String) -> Date {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date)
      ?? .distantPast
  }
}
