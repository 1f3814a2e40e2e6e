import Foundation
import OutsideFiles

/// A process by pid and start time, so a state file whose bridge died is not taken
/// for a live one when the pid has been reused (Linux `/proc/<pid>/stat`).
public struct ProcessIdentity: Sendable, Equatable {
  public var pid: Int32
  /// Field 22 of `/proc/<pid>/stat` (clock ticks after boot); nil where unknown.
  public var startTicks: UInt64?

  public init(pid: Int32, startTicks: UInt64?) {
    self.pid = pid
    self.startTicks = startTicks
  }

  /// This process.
  public static var current: ProcessIdentity {
    let pid = getpid()
    return ProcessIdentity(pid: pid, startTicks: startTicks(of: pid))
  }

  /// Whether the process runs now (a zombie has ended) and is the one that was recorded.
  public var isAlive: Bool {
    guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let stat = Self.stat(of: pid) else { return true }  // no /proc: trust kill
    guard let fields = Self.fieldsAfterName(stat), let state = fields.first,
      state != "Z", state != "X"
    else { return false }
    guard let startTicks else { return true }
    return Self.startTicks(stat) == startTicks
  }

  /// A process's start time, nil when it is gone or `/proc` is unreadable.
  static func startTicks(of pid: Int32) -> UInt64? {
    stat(of: pid).flatMap(startTicks)
  }

  /// Field 22 of a `stat` line: the 20th after the name (which may hold spaces and parentheses).
  static func startTicks(_ stat: String) -> UInt64? {
    guard let fields = fieldsAfterName(stat), fields.count > 19 else { return nil }
    return UInt64(fields[19])
  }

  private static func fieldsAfterName(_ stat: String) -> [Substring]? {
    guard let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
  }

  private static func stat(of pid: Int32) -> String? {
    guard case .success(let data) = OutsideFile.read("/proc/\(pid)/stat", limit: 4096) else {
      return nil
    }
    return String(decoding: data, as: UTF8.self)
  }
}
