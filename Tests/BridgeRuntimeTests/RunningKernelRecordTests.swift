import Foundation
import TestSupport
import Testing

@testable import BridgeRuntime

/// The file `status` reads is written by one process and read by another, and
/// anyone may put anything in that folder: it round-trips, and garbage is no record.
@Suite struct RunningKernelRecordTests {
  @Test func roundTripsAndKeepsEachValueOnOneLine() throws {
    let record = RunningKernelRecord(
      kernelPid: 4242, notebook: "weekly\nrésumé.ipynb", memory: "12 MiB (kernel process tree)")
    let read = try #require(RunningKernelRecord(text: record.text))
    #expect(read.kernelPid == 4242)
    #expect(read.notebook == "weekly résumé.ipynb")
    #expect(read.memory == "12 MiB (kernel process tree)")
  }

  @Test(arguments: [
    "", "kernel-pid\nnotebook x", "kernel-pid -3\nnotebook x", "kernel-pid 99999999999\nnotebook x",
    "notebook x", "kernel-pid 12", "\u{0}\u{1}garbage",
  ])
  func garbageIsNoRecord(text: String) {
    #expect(RunningKernelRecord(text: text) == nil)
  }

  @Test func liveListsOnlyKernelsAliveWithTheirOwnName() throws {
    let directory = try TemporaryDirectory()
    let mine = RunningKernelRecord(kernelPid: getpid(), notebook: "alive.ipynb")
    mine.write(in: directory.path)
    // A kernel that ended (no such process) and a file under another kernel's name.
    RunningKernelRecord(kernelPid: Int32.max - 1, notebook: "gone.ipynb").write(in: directory.path)
    try Data(mine.text.utf8).write(to: URL(fileURLWithPath: directory.path + "/1"))
    try Data("junk".utf8).write(to: URL(fileURLWithPath: directory.path + "/junk"))
    #expect(RunningKernelRecord.live(in: directory.path) == [mine])
    mine.remove(in: directory.path)
    #expect(RunningKernelRecord.live(in: directory.path).isEmpty)
  }
}
