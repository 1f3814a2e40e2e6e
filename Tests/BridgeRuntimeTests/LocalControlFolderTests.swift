import Foundation
import TestSupport
import Testing

@testable import BridgeRuntime

/// The private folder: made 0700, refused when it is a symlink or not a folder,
/// state files written 0600 in one rename, stale ones (a dead pid, a reused pid)
/// told apart from live ones, garbage passed over.
@Suite struct LocalControlFolderTests {
  @Test(arguments: [
    ("/run/user/1000/jupyter/runtime/kernel-1a2b-3c.json", "1a2b-3c"),
    ("/tmp/tmpw3lgzt9y.json", "tmpw3lgzt9y"),
    ("kernel-.json", "kernel-"),
    ("/x/kernel-a b/c$d.json", "c_d"),
    ("/x/.hidden.json", "_hidden"),
    ("/x/kernel-é.json", "_"),
    ("/x/.json", "kernel"),
  ])
  func kernelIdIsOneSafeFileName(connectionFile: String, id: String) {
    #expect(LocalControlFolder.kernelId(connectionFile: connectionFile) == id)
  }

  @Test func preparesAPrivateFolderAndWritesPrivateFiles() throws {
    let root = try TemporaryDirectory()
    let folder = LocalControlFolder(path: root.path + "/runtime/jupyter-lmk")
    try folder.prepare()
    #expect(try mode(folder.path) == 0o700)
    #expect(folder.writeAtomically(Data("x".utf8), to: folder.statePath(kernelId: "k")))
    #expect(try mode(folder.statePath(kernelId: "k")) == 0o600)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["k.json"])
    // Opened to others by mistake: closed again.
    chmod(folder.path, 0o755)
    try folder.prepare()
    #expect(try mode(folder.path) == 0o700)
  }

  @Test func refusesASymlinkOrAFile() throws {
    let root = try TemporaryDirectory()
    try FileManager.default.createDirectory(
      atPath: root.path + "/elsewhere", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: root.path + "/jupyter-lmk", withDestinationPath: root.path + "/elsewhere")
    #expect(throws: LocalControlFolder.Unusable.self) {
      try LocalControlFolder(path: root.path + "/jupyter-lmk").prepare()
    }
    try root.write("plain", "")
    #expect(throws: LocalControlFolder.Unusable.self) {
      try LocalControlFolder(path: root.path + "/plain").prepare()
    }
  }

  @Test func tellsLiveStatesFromStaleOnesAndSkipsGarbage() throws {
    let root = try TemporaryDirectory()
    let folder = LocalControlFolder(path: root.path)
    let me = ProcessIdentity.current
    var live = BridgeStateTests.state(id: "live", pid: me.pid)
    live.pidStartTicks = me.startTicks
    var reused = BridgeStateTests.state(id: "reused", pid: me.pid)
    reused.pidStartTicks = (me.startTicks ?? 0) &+ 1
    let dead = BridgeStateTests.state(id: "dead", pid: Int32.max - 1)
    for state in [live, reused, dead] {
      folder.writeAtomically(state.encoded(), to: folder.statePath(kernelId: state.kernelId))
    }
    // Under another kernel's name, garbage, and a folder where a file belongs.
    folder.writeAtomically(live.encoded(), to: folder.statePath(kernelId: "renamed"))
    try root.write("garbage.json", "\u{0}{")
    try FileManager.default.createDirectory(
      atPath: root.path + "/dir.json", withIntermediateDirectories: true)
    let (states, stale) = folder.states()
    #expect(states == [live])
    #expect(stale == [folder.statePath(kernelId: "dead"), folder.statePath(kernelId: "reused")])
    #expect(folder.liveState(kernelId: "live") == live)
    #expect(folder.liveState(kernelId: "dead") == nil)
  }

  @Test func readsAStartTimeWhateverTheProcessName() {
    let stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1 2\n"
    #expect(ProcessIdentity.startTicks(stat) == 987_654)
    #expect(ProcessIdentity.startTicks("42 (x) S 1") == nil)
    #expect(ProcessIdentity.startTicks("garbage") == nil)
  }

  private func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? Int ?? 0) & 0o777
  }
}
