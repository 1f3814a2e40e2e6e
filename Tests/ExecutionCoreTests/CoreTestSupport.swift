@testable import ExecutionCore

/// Kernel-time origin of synthetic messages: a header date is `base + clock`.
let baseTime: Int64 = 1_737_667_395_000  // 2025-01-23T21:23:15.000Z

func kt(_ clockMs: Int64) -> KernelTime {
  KernelTime(millisecondsSince1970: baseTime + clockMs)
}

/// Builders of synthetic IOPub messages, shaped as ipykernel sends them.
enum Msg {
  static func busy(_ id: String, type: String = "execute_request", at t: Int64) -> CoreInput {
    .message(
      IOPubMessage(content: .status(.busy), parentMsgId: id, parentMsgType: type, date: kt(t)),
      at: ClockReading(milliseconds: t))
  }
  static func idle(
    _ id: String, type: String = "execute_request", subshell: String? = nil, at t: Int64
  )
    -> CoreInput
  {
    .message(
      IOPubMessage(
        content: .status(.idle), parentMsgId: id, parentMsgType: type, subshellId: subshell,
        date: kt(t)),
      at: ClockReading(milliseconds: t))
  }
  static func input(_ id: String, _ code: String, n: Int, subshell: String? = nil, at t: Int64)
    -> CoreInput
  {
    .message(
      IOPubMessage(
        content: .executeInput(code: code, executionCount: n), parentMsgId: id,
        parentMsgType: "execute_request", subshellId: subshell, date: kt(t)),
      at: ClockReading(milliseconds: t))
  }
  static func error(
    _ id: String, ename: String, evalue: String, traceback: [String] = [], at t: Int64
  ) -> CoreInput {
    .message(
      IOPubMessage(
        content: .error(ename: ename, evalue: evalue, traceback: traceback), parentMsgId: id,
        parentMsgType: "execute_request", date: kt(t)),
      at: ClockReading(milliseconds: t))
  }
  static func other(_ type: String, parent id: String?, parentType: String? = nil, at t: Int64)
    -> CoreInput
  {
    .message(
      IOPubMessage(
        content: .other(msgType: type), parentMsgId: id, parentMsgType: parentType, date: kt(t)),
      at: ClockReading(milliseconds: t))
  }
  /// A whole cell: busy, execute_input, optional error, idle.
  static func cell(
    _ id: String, _ code: String, n: Int, from start: Int64, to end: Int64,
    error: (ename: String, evalue: String)? = nil
  ) -> [CoreInput] {
    var inputs = [busy(id, at: start), input(id, code, n: n, at: start)]
    if let error { inputs.append(Msg.error(id, ename: error.ename, evalue: error.evalue, at: end)) }
    inputs.append(idle(id, at: end))
    return inputs
  }
  static func tick(_ t: Int64) -> CoreInput { .tick(ClockReading(milliseconds: t)) }
}

/// A core plus everything it asked for, for assertions.
struct Harness {
  var core: BridgeCore
  /// What reaches LMK: states and notifications.
  var actions: [CoreAction] = []
  /// The cells' story (the transcript's source), kept apart.
  var story: [ExecutionEvent] = []

  init(_ settings: NotificationPolicy = NotificationPolicy(notifyOn: .stop)) {
    core = BridgeCore(settings: settings)
  }

  mutating func send(_ inputs: [CoreInput]) {
    for input in inputs {
      for action in core.handle(input) {
        if case .record(let event) = action { story.append(event) } else { actions.append(action) }
      }
    }
  }
  mutating func send(_ inputs: CoreInput...) { send(inputs) }

  /// Feeds a tick far past any grace, so a run in progress ends.
  mutating func settle(at t: Int64 = 1_000_000) { send(Msg.tick(t)) }

  var notifications: [NotificationIntent] {
    actions.compactMap { if case .notify(let n) = $0 { n } else { nil } }
  }
  var states: [SessionSnapshot] {
    actions.compactMap { if case .publishState(let s) = $0 { s } else { nil } }
  }
}
