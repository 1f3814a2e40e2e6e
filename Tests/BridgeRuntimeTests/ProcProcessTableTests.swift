import Foundation
import TestSupport
import Testing

@testable import BridgeRuntime

@Suite struct ProcProcessTableTests {
  @Test func readsThisProcess() throws {
    let table = ProcProcessTable()
    let pid = getpid()
    #expect(table.parent(of: pid) == getppid())
    let argv = try #require(table.commandLine(of: pid))
    #expect(argv.first.map { !$0.isEmpty } == true)
    #expect(table.workingDirectory(of: pid) == FileManager.default.currentDirectoryPath)
  }

  @Test func aGoneProcessIsUnknown() {
    let table = ProcProcessTable()
    #expect(table.parent(of: Int32.max) == nil)
    #expect(table.commandLine(of: Int32.max) == nil)
    #expect(table.workingDirectory(of: Int32.max) == nil)
  }

  /// A fake /proc: odd bytes never trap, a status without PPid or with a huge one is unknown,
  /// and a command line past the cap is not read.
  @Test func oddFilesAreTotal() throws {
    let root = temporaryPath("proc")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let table = ProcProcessTable(root: root)
    func write(_ pid: Int32, _ name: String, _ bytes: [UInt8]) throws {
      let folder = "\(root)/proc/\(pid)"
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
    }
    try write(7, "cmdline", Array("papermill\0in\u{FF}.ipynb\0\0".utf8) + [0xFF, 0xFE, 0])
    #expect(table.commandLine(of: 7) == ["papermill", "in\u{FF}.ipynb", "", "\u{FFFD}\u{FFFD}"])
    try write(8, "cmdline", [])
    #expect(table.commandLine(of: 8) == [])
    try write(9, "cmdline", Array(repeating: 0x61, count: ProcProcessTable.commandLineLimit + 1))
    #expect(table.commandLine(of: 9) == nil)
    try write(7, "status", Array("Name:\tx\nPPid:\t99999999999\n".utf8))
    #expect(table.parent(of: 7) == nil)
    try write(8, "status", Array("Name:\tx\n".utf8))
    #expect(table.parent(of: 8) == nil)
    try write(9, "status", Array("Name:\tx\nPPid:\t42\n".utf8))
    #expect(table.parent(of: 9) == 42)
  }
}
