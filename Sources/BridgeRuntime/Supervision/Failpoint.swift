import Synchronization

/// Named places where a debug build can be told to trap, to prove that a
/// crash of the monitor never costs the kernel (docs/BEHAVIOUR.md, "Launcher mode", in the spirit
/// of FreeBSD's fail(9) and TiKV's fail-rs).
///
/// `JUPYTER_LMK_FAILPOINTS` names them, comma-separated: `first-message`
/// traps in the first monitor process only (its restart then runs clean),
/// `first-message@all` in every one (a crash loop). Release builds compile
/// every `hit()` to nothing.
public enum Failpoint: String, Sendable, CaseIterable {
  /// The monitor process has started, before it subscribes.
  case monitorStart = "monitor-start"
  /// The first IOPub message reaches the monitor.
  case firstMessage = "first-message"
  /// A notification was stored in the outbox and is about to be sent.
  case notification
  /// The kernel ended and the monitor begins to wrap up.
  case wrapUp = "wrap-up"

  /// The environment variable that arms failpoints.
  public static let variable = "JUPYTER_LMK_FAILPOINTS"

  private static let armed = Mutex<Set<Failpoint>>([])

  /// Arms what `environment` names for the monitor of `generation` (0 = first).
  public static func arm(from environment: [String: String], generation: Int) {
    #if DEBUG
      guard let names = environment[variable] else { return }
      var points = Set<Failpoint>()
      for entry in names.split(separator: ",") {
        let parts = entry.split(separator: "@", maxSplits: 1)
        guard let point = parts.first.flatMap({ Failpoint(rawValue: String($0)) }) else { continue }
        if generation == 0 || parts.dropFirst().first == "all" { points.insert(point) }
      }
      armed.withLock { $0 = points }
    #endif
  }

  /// Traps here when armed (debug builds only).
  public func hit() {
    #if DEBUG
      if Self.armed.withLock({ $0.contains(self) }) {
        fatalError("failpoint \(rawValue)")
      }
    #endif
  }
}
