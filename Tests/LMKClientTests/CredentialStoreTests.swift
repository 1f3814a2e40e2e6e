import Foundation
import Testing

@testable import LMKClient

@Suite struct CredentialStoreTests {
  func temporaryConfig(_ text: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "lmkcreds-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("config").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func environmentOverridesTheFileKeyByKey() throws {
    let path = try temporaryConfig(
      "[python]\naccess_token = file-a\nrefresh_token = file-r\naccess_token_expires = 1700000000000\n[work]\naccess_token = work-a\n"
    )
    defer {
      try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
    let plain = try CredentialStore(environment: ["LMK_CONFIG_PATH": path]).load()
    #expect(plain.accessToken == "file-a")
    #expect(plain.refreshToken == "file-r")
    #expect(plain.accessTokenExpires == Date(timeIntervalSince1970: 1_700_000_000))
    #expect(plain.serverURL == nil)

    let overridden = try CredentialStore(environment: [
      "LMK_CONFIG_PATH": path, "LMK_ACCESS_TOKEN": "env-a", "LMK_SERVER_URL": "http://127.0.0.1:1",
    ]).load()
    #expect(overridden.accessToken == "env-a")
    #expect(overridden.refreshToken == "file-r")
    #expect(overridden.serverURL == "http://127.0.0.1:1")

    let work = CredentialStore(environment: ["LMK_CONFIG_PATH": path, "LMK_PROFILE": "work"])
    #expect(work.profile == "work")
    #expect(try work.load().accessToken == "work-a")
  }

  @Test func defaultsFollowTheOfficialClient() {
    let store = CredentialStore(environment: ["HOME": "/home/u"])
    #expect(store.path == "/home/u/.lmk/config")
    #expect(store.profile == "python")
    #expect(
      Outbox.defaultDirectory(environment: ["HOME": "/home/u"])
        == "/home/u/.local/share/jupyter-lmk/outbox")
    #expect(
      Outbox.defaultDirectory(environment: ["HOME": "/home/u", "XDG_DATA_HOME": "/data"])
        == "/data/jupyter-lmk/outbox")
  }

  @Test func savingThroughASymlinkKeepsTheLink() throws {
    let path = try temporaryConfig("[other]\nk = v\n")
    let directory = (path as NSString).deletingLastPathComponent
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let link = "\(directory)/link"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
    let store = CredentialStore(environment: ["LMK_CONFIG_PATH": link])
    try store.save(TokenGrant(accessToken: "a", refreshToken: "r", expiresIn: 60))
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == path)
    #expect(try store.load().accessToken == "a")
    #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("[other]\nk = v\n"))
    #expect(
      (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
  }
}
