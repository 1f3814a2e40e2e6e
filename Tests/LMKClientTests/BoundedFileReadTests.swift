import Foundation
import OutsideFiles
import Testing

@testable import LMKClient

/// Issue 9 item 11: files read from outside are size-capped, and a FIFO or device where a
/// file belongs is an error that says so (and never blocks on opening the FIFO).
@Suite struct BoundedFileReadTests {
  func temporaryDirectory() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lmkread-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.path
  }

  /// A file of `size` bytes that costs no disk (a hole).
  func sparseFile(_ path: String, size: UInt64) throws {
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: size)
    try handle.close()
  }

  @Test func aSmallRegularFileIsRead() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Data("hello".utf8).write(to: URL(fileURLWithPath: "\(directory)/f"))
    #expect(
      try BoundedFileRead.contents(ofRegularFile: "\(directory)/f", limit: 5) == Data("hello".utf8))
  }

  @Test func aMissingFileIsReportedAsMissing() throws {
    #expect(throws: BoundedFileRead.Failure(path: "/nonexistent/x", reason: .missing)) {
      try BoundedFileRead.contents(ofRegularFile: "/nonexistent/x", limit: 10)
    }
  }

  @Test func aFileOverTheLimitIsAnErrorNamingIt() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/big"
    try sparseFile(path, size: 256 << 20)
    #expect {
      try BoundedFileRead.contents(ofRegularFile: path, limit: 1 << 20)
    } throws: { error in
      guard let failure = error as? BoundedFileRead.Failure else { return false }
      return failure.reason == .tooLarge(limit: 1 << 20) && "\(failure)".contains(path)
        && "\(failure)".contains("1 MiB")
    }
  }

  @Test func aFIFOIsAnErrorThatSaysSoWithoutBlocking() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/fifo"
    #expect(mkfifo(path, 0o600) == 0)
    let started = ContinuousClock.now
    #expect {
      try BoundedFileRead.contents(ofRegularFile: path, limit: 1 << 20)
    } throws: { "\($0)".contains("FIFO") && "\($0)".contains(path) }
    #expect(ContinuousClock.now - started < .seconds(2))
  }

  @Test(arguments: ["/dev/zero", "/dev/null", "/tmp"])
  func aDeviceOrFolderIsAnErrorThatSaysSo(_ path: String) throws {
    #expect {
      try BoundedFileRead.contents(ofRegularFile: path, limit: 1 << 20)
    } throws: { error in
      let text = "\(error)"
      return text.contains(path) && (text.contains("device") || text.contains("directory"))
    }
  }

  @Test func aHugeCredentialsFileIsAnErrorNamingIt() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/config"
    try sparseFile(path, size: 256 << 20)
    #expect {
      try CredentialStore(environment: ["LMK_CONFIG_PATH": path]).load()
    } throws: { "\($0)".contains(path) && "\($0)".contains("MiB") }
  }
}
