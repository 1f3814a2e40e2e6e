import ArgumentParser
import BridgeRuntime
import ExecutionCore
import Foundation

/// `jupyter-lmk ps`: the bridges running now, from their state files
/// (docs/BEHAVIOUR.md, "Local control").
struct PsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ps",
    abstract: "List the running bridges, their settings and LMK sessions.",
    discussion: """
      Reads the state file each bridge keeps in Jupyter's runtime directory; the \
      file of a bridge that was killed is removed.
      """)

  @Flag(help: "One JSON array of the bridges' states.")
  var json = false

  func run() throws {
    let folder = LocalControlFolder.standard(environment: ProcessInfo.processInfo.environment)
    let bridges = try Self.liveBridges(in: folder)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: (try? encoder.encode(bridges)) ?? Data("[]".utf8), as: UTF8.self))
      return
    }
    guard !bridges.isEmpty else {
      print("No running bridge.")
      return
    }
    print(Self.table(bridges))
    for bridge in bridges {
      print("")
      print(Self.details(bridge))
    }
  }

  /// The live bridges, oldest first; the files of dead ones are removed on the way.
  static func liveBridges(in folder: LocalControlFolder) throws -> [BridgeState] {
    do {
      try folder.check()
    } catch {
      if !FileManager.default.fileExists(atPath: folder.path) { return [] }
      throw CommandFailure("\(error)")
    }
    let (live, stale) = folder.states()
    for path in stale {
      unlink(path)
      unlink(String(path.dropLast(".json".count)) + ".request")
    }
    return live.sorted {
      ($0.startedAtMilliseconds, $0.kernelId) < ($1.startedAtMilliseconds, $1.kernelId)
    }
  }

  /// The bridge `selection` names; a choice left open exits 2 with the candidates.
  static func choose(_ selection: BridgeSelection, in folder: LocalControlFolder) throws
    -> BridgeState
  {
    switch selection.choose(from: try liveBridges(in: folder)) {
    case .success(let bridge): return bridge
    case .failure(.ambiguous(let what, let candidates)):
      StandardError.line("Error: \(BridgeSelection.Failure.ambiguous(what, candidates))")
      StandardError.line(table(candidates))
      throw ExitCode(2)
    case .failure(let failure):
      throw CommandFailure("\(failure)")
    }
  }

  /// One row per bridge: kernel, pid, mode, notifyOn, socket, notebook.
  static func table(_ bridges: [BridgeState]) -> String {
    let header = ["KERNEL", "PID", "MODE", "NOTIFY", "SOCKET", "NOTEBOOK"]
    let rows = bridges.map { bridge in
      [
        String(bridge.kernelId.prefix(8)), "\(bridge.pid)", bridge.mode.rawValue,
        bridge.settings.first { $0.key == "notifyOn" }?.value ?? "?",
        oneLine(bridge.socket, limit: 16), oneLine(bridge.notebook ?? bridge.name),
      ]
    }
    let widths = header.indices.map { column in
      ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    return ([header] + rows).map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1
          ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }

  /// Everything a bridge's state says, one field a line.
  static func details(_ bridge: BridgeState) -> String {
    var pids = "pid \(bridge.pid)"
    if let supervisor = bridge.supervisorPid { pids += ", supervisor \(supervisor)" }
    if let kernel = bridge.kernelPid { pids += ", kernel \(kernel)" }
    var lines = [
      "\(oneLine(bridge.kernelId)) (\(bridge.mode.rawValue) mode, \(pids))",
      field("notebook", oneLine(bridge.notebook ?? "unknown (session \(bridge.name))")),
      field("connection", oneLine(bridge.connectionFile)),
      field("started", KernelTime(millisecondsSince1970: bridge.startedAtMilliseconds).readableUTC),
    ]
    for setting in bridge.settings {
      let value = oneLine(setting.value, limit: 40)
      lines.append(
        field(
          oneLine(setting.key, limit: 20),
          value.padding(toLength: max(value.count, 18), withPad: " ", startingAt: 0)
            + "  from \(oneLine(setting.source))"))
    }
    lines.append(
      field(
        "LMK session",
        "\(bridge.sessionId.map { oneLine($0) } ?? "none") (socket \(oneLine(bridge.socket, limit: 40)))"
      ))
    lines.append(
      field(
        "last notified",
        bridge.lastNotification.map {
          "\(KernelTime(millisecondsSince1970: $0.atMilliseconds).readableUTC): "
            + "\(oneLine($0.summary)) (\(oneLine($0.delivery, limit: 40)))"
        } ?? "nothing yet"))
    lines.append(field("outbox", "\(bridge.outboxBacklog) undelivered event(s)"))
    if let memory = bridge.memory { lines.append(field("memory", oneLine(memory))) }
    return lines.joined(separator: "\n")
  }

  private static func field(_ name: String, _ value: String) -> String {
    "  " + name.padding(toLength: max(name.count, 14), withPad: " ", startingAt: 0) + " " + value
  }

  /// Text from a state file as one printable line, at most `limit` characters: such a
  /// file is ours, but nothing read from disk may move the cursor or clear the screen.
  static func oneLine(_ text: String, limit: Int = 300) -> String {
    let printable = text.unicodeScalars.map { scalar -> Character in
      scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
        ? " " : Character(scalar)
    }
    return printable.count > limit ? String(printable.prefix(limit - 1)) + "…" : String(printable)
  }
}
