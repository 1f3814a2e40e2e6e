import ExecutionCore
import Foundation
import LMKClient
import OutsideFiles

/// What `jupyter-lmk status` shows of a kernel monitored right now: one small
/// file per kernel, `<data>/jupyter-lmk/kernels/<kernel pid>`, that the launcher
/// monitor writes when it starts and at each notable change of the kernel's
/// memory (from the sampler's thread, never the IOPub one) and removes when it
/// ends (docs/BEHAVIOUR.md, "Kernel memory"). Readable by its owner only; it holds
/// no secret, only the notebook's name and figures.
public struct RunningKernelRecord: Sendable, Equatable {
  public var kernelPid: Int32
  public var notebook: String
  /// The latest memory line (`231.4 MiB of 256 MiB, peak 240 MiB (cgroup v1)`), if any.
  public var memory: String?

  public init(kernelPid: Int32, notebook: String, memory: String? = nil) {
    self.kernelPid = kernelPid
    self.notebook = notebook
    self.memory = memory
  }

  /// `$XDG_DATA_HOME/jupyter-lmk/kernels`, beside the outbox.
  public static func directory(environment: [String: String]) -> String {
    (Outbox.defaultDirectory(environment: environment) as NSString).deletingLastPathComponent
      + "/kernels"
  }

  /// The file's text: `key value` lines, one value per line.
  var text: String {
    var lines = ["kernel-pid \(kernelPid)", "notebook \(Self.oneLine(notebook))"]
    if let memory { lines.append("memory \(Self.oneLine(memory))") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Reads a record back; nil for anything that is not one (a file someone else wrote).
  init?(text: String) {
    var fields: [Substring: Substring] = [:]
    for line in text.split(separator: "\n") {
      guard let space = line.firstIndex(of: " ") else { continue }
      fields[line[..<space]] = line[line.index(after: space)...]
    }
    guard let pid = fields["kernel-pid"].flatMap({ Int32(String($0)) }), pid > 0,
      let notebook = fields["notebook"]
    else { return nil }
    self.init(kernelPid: pid, notebook: String(notebook), memory: fields["memory"].map(String.init))
  }

  private static func oneLine(_ text: String) -> String {
    String(text.prefix(500).map { $0.isNewline ? " " : $0 })
  }

  /// Writes the record in one rename (a reader never sees half of it); a failure only
  /// costs `status` this kernel's line.
  public func write(in directory: String) {
    let fileManager = FileManager.default
    try? fileManager.createDirectory(
      atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let path = "\(directory)/\(kernelPid)"
    let staging = "\(path).\(ProcessInfo.processInfo.processIdentifier).new"
    guard
      fileManager.createFile(
        atPath: staging, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    else { return }
    if rename(staging, path) != 0 { unlink(staging) }
  }

  /// Removes this kernel's record.
  public func remove(in directory: String) {
    unlink("\(directory)/\(kernelPid)")
  }

  /// The records of kernels alive now, by pid; files of kernels that ended (a monitor
  /// that could not clean up) and anything unreadable are passed over.
  public static func live(in directory: String) -> [RunningKernelRecord] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.compactMap { name -> RunningKernelRecord? in
      guard Int32(name) != nil,
        case .success(let data) = OutsideFile.read("\(directory)/\(name)", limit: 4_096),
        let record = RunningKernelRecord(text: String(decoding: data, as: UTF8.self)),
        "\(record.kernelPid)" == name, kill(record.kernelPid, 0) == 0 || errno == EPERM
      else { return nil }
      return record
    }.sorted { $0.kernelPid < $1.kernelPid }
  }
}
