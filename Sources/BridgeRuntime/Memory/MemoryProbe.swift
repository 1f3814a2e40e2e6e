import ExecutionCore
import Foundation

/// Reads the kernel's memory figures (docs/BEHAVIOUR.md, "Kernel memory"). Behind a protocol so
/// the monitor can be tested with any figures, and Core stays pure.
public protocol MemoryProbe: Sendable {
  /// The figures now; nil when nothing at all can be read (the kernel is gone).
  func read() -> MemoryReading?
}

/// The kernel's memory from its memory cgroup (v2 or v1) when the cgroup has a
/// limit of its own, else from the kernel's process tree.
///
/// The cgroup is found once, from `/proc/<pid>/cgroup`, under the standard
/// mount points (`/sys/fs/cgroup` for v2, `/sys/fs/cgroup/memory` for v1).
/// Every read is a few small files, size-capped; anything missing or
/// malformed is "unknown".
public struct CgroupMemoryProbe: MemoryProbe {
  /// The kernel's cgroup, as found at start.
  public enum Cgroup: Sendable, Equatable {
    case v2(directory: String)
    case v1(directory: String)
  }

  public let pid: Int32
  public let cgroup: Cgroup?
  private let root: String

  /// - Parameter root: prefix of `/proc` and `/sys` (a fixture tree in tests).
  public init(pid: Int32, root: String = "") {
    self.pid = pid
    self.root = root
    cgroup = Self.locate(pid: pid, root: root)
  }

  public func read() -> MemoryReading? {
    // The limit first: without one the other cgroup files are not worth reading.
    if let cgroup, limit(of: cgroup) != nil, let reading = read(cgroup), reading.limit != nil {
      return reading
    }
    return processTree()
  }

  /// The cgroup's limit alone; nil when it has none or the file is gone.
  private func limit(of cgroup: Cgroup) -> UInt64? {
    switch cgroup {
    case .v2(let directory): MemoryFiles.bytes(at: directory + "/memory.max")
    case .v1(let directory): MemoryFiles.bytes(at: directory + "/memory.limit_in_bytes")
    }
  }

  /// Reads the cgroup's figures; nil when its files are gone.
  func read(_ cgroup: Cgroup) -> MemoryReading? {
    switch cgroup {
    case .v2(let directory):
      guard let current = MemoryFiles.bytes(at: directory + "/memory.current") else { return nil }
      return MemoryReading(
        source: .cgroupV2, current: current,
        peak: MemoryFiles.bytes(at: directory + "/memory.peak"),
        limit: MemoryFiles.bytes(at: directory + "/memory.max"),
        oomKills: MemoryFiles.keyedValue("oom_kill", at: directory + "/memory.events"))
    case .v1(let directory):
      guard let current = MemoryFiles.bytes(at: directory + "/memory.usage_in_bytes") else {
        return nil
      }
      return MemoryReading(
        source: .cgroupV1, current: current,
        peak: MemoryFiles.bytes(at: directory + "/memory.max_usage_in_bytes"),
        limit: MemoryFiles.bytes(at: directory + "/memory.limit_in_bytes"),
        oomKills: MemoryFiles.keyedValue("oom_kill", at: directory + "/memory.oom_control"))
    }
  }

  /// The kernel's and its descendants' resident memory; the peak is the
  /// kernel's own high-water mark plus its descendants' (an upper bound).
  func processTree() -> MemoryReading? {
    var current: UInt64 = 0
    var peak: UInt64 = 0
    var found = false
    for process in descendants(of: pid, including: true) {
      // One read of the file for both figures.
      guard let status = MemoryFiles.text(at: root + "/proc/\(process)/status"),
        let rss = MemoryFiles.keyedKilobytes("VmRSS:", in: status)
      else { continue }
      found = true
      current = current.addingClamped(rss)
      peak = peak.addingClamped(MemoryFiles.keyedKilobytes("VmHWM:", in: status) ?? rss)
    }
    return found ? MemoryReading(source: .processTree, current: current, peak: peak) : nil
  }

  /// `pid` and the processes below it, at most `MemoryFiles.maximumProcesses`.
  private func descendants(of pid: Int32, including: Bool) -> [Int32] {
    var found = including ? [pid] : []
    var frontier = [pid]
    while let next = frontier.popLast(), found.count < MemoryFiles.maximumProcesses {
      for task in MemoryFiles.entries(of: root + "/proc/\(next)/task") {
        let children = MemoryFiles.text(at: root + "/proc/\(next)/task/\(task)/children") ?? ""
        for child in children.split(separator: " ").compactMap({ Int32($0) })
        where !found.contains(child) {
          found.append(child)
          frontier.append(child)
        }
      }
    }
    return found
  }

  static func locate(pid: Int32, root: String) -> Cgroup? {
    guard let membership = MemoryFiles.text(at: root + "/proc/\(pid)/cgroup") else { return nil }
    let paths = CgroupMembership(membership)
    if let path = paths.v1Memory {
      let directory = root + "/sys/fs/cgroup/memory" + path.trimmingTrailingSlash
      if FileManager.default.fileExists(atPath: directory + "/memory.usage_in_bytes") {
        return .v1(directory: directory)
      }
    }
    if let path = paths.unified {
      let directory = root + "/sys/fs/cgroup" + path.trimmingTrailingSlash
      if FileManager.default.fileExists(atPath: directory + "/memory.current") {
        return .v2(directory: directory)
      }
    }
    return nil
  }
}

/// The lines of `/proc/<pid>/cgroup`: `hierarchy:controllers:path`.
struct CgroupMembership: Equatable {
  /// The v2 (unified) path, from the `0::/path` line.
  var unified: String?
  /// The v1 memory controller's path.
  var v1Memory: String?

  init(_ text: String) {
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
      if fields[0] == "0" && fields[1].isEmpty {
        unified = String(fields[2])
      } else if fields[1].split(separator: ",").contains("memory") {
        v1Memory = String(fields[2])
      }
    }
  }
}

extension String {
  fileprivate var trimmingTrailingSlash: String {
    self == "/" ? "" : (hasSuffix("/") ? String(dropLast()) : self)
  }
}

extension UInt64 {
  /// Addition that saturates instead of trapping.
  func addingClamped(_ other: UInt64) -> UInt64 {
    let (sum, overflow) = addingReportingOverflow(other)
    return overflow ? .max : sum
  }
}
