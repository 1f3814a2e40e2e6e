import Foundation
import Testing

@testable import JupyterProtocol

@Suite struct ConnectionInfoTests {
  private static let path = "/run/user/1000/jupyter/runtime/kernel-abc.json"
  private static let publicKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
  private static let secretKey = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
  private static let ports =
    #""shell_port": 5555, "iopub_port": 5556, "stdin_port": 5557, "control_port": 5558, "hb_port": 5559"#

  private func parse(_ json: String) throws -> ConnectionInfo {
    try ConnectionInfo.parse(Data(json.utf8), path: Self.path)
  }

  @Test func fullJupyterClientFile() throws {
    let info = try parse(
      #"""
      {"shell_port": 5555, "iopub_port": 5556, "stdin_port": 5557, "control_port": 5558, "hb_port": 5559,
       "ip": "127.0.0.1", "key": "a0b1c2d3-e4f5a6b7c8d9e0f1a2b3c4d5", "transport": "tcp",
       "signature_scheme": "hmac-sha512", "kernel_name": "python3", "jupyter_session": "/home/u/nb.ipynb"}
      """#)
    #expect(info.transport == .tcp)
    #expect(info.ip == "127.0.0.1")
    #expect(info.ports == [.shell: 5555, .iopub: 5556, .stdin: 5557, .control: 5558, .hb: 5559])
    #expect(info.key == Secret("a0b1c2d3-e4f5a6b7c8d9e0f1a2b3c4d5"))
    #expect(info.signatureScheme == .hmacSHA512)
    #expect(info.kernelName == "python3")
    #expect(info.jupyterSession == "/home/u/nb.ipynb")
    #expect(info.curvePublicKey == nil)
    #expect(info.curveSecretKey == nil)
    #expect(info.endpoint(.iopub) == "tcp://127.0.0.1:5556")
    #expect(info.endpoint(.hb) == "tcp://127.0.0.1:5559")
  }

  @Test func stringPortsAreNumbers() throws {
    let info = try parse(
      #"{"shell_port": "5555", "iopub_port": "5556", "stdin_port": 5557, "control_port": "5558", "hb_port": "5559"}"#
    )
    #expect(info.ports == [.shell: 5555, .iopub: 5556, .stdin: 5557, .control: 5558, .hb: 5559])
  }

  @Test func ipcTransportEndpointsArePathDashPort() throws {
    let info = try parse(
      #"{"transport": "ipc", "ip": "/tmp/kernel-abc", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}"#
    )
    #expect(info.transport == .ipc)
    #expect(info.endpoint(.iopub) == "ipc:///tmp/kernel-abc-2")
    #expect(info.endpoint(.control) == "ipc:///tmp/kernel-abc-4")
  }

  @Test func ipv6AddressIsBracketed() throws {
    let info = try parse(#"{"ip": "::1", \#(Self.ports)}"#)
    #expect(info.endpoint(.shell) == "tcp://[::1]:5555")
  }

  @Test func curveKeys() throws {
    let info = try parse(
      #"{\#(Self.ports), "curve_publickey": "\#(Self.publicKey)", "curve_secretkey": "\#(Self.secretKey)"}"#
    )
    #expect(info.curvePublicKey == Self.publicKey)
    #expect(info.curveSecretKey?.text == Self.secretKey)
  }

  @Test func emptyCurveKeysMeanNoEncryption() throws {
    let info = try parse(#"{\#(Self.ports), "curve_publickey": "", "curve_secretkey": ""}"#)
    #expect(info.curvePublicKey == nil)
    #expect(info.curveSecretKey == nil)
  }

  @Test func emptyJupyterSessionIsNil() throws {
    #expect(try parse(#"{\#(Self.ports), "jupyter_session": ""}"#).jupyterSession == nil)
  }

  @Test func defaults() throws {
    let info = try parse(#"{\#(Self.ports), "unknown_extra": [1, {"x": null}]}"#)
    #expect(info.transport == .tcp)
    #expect(info.ip == "127.0.0.1")
    #expect(info.key.isEmpty)
    #expect(info.signatureScheme == .hmacSHA256)
    #expect(info.kernelName == "")
    #expect(info.jupyterSession == nil)
    #expect(info.curvePublicKey == nil)
  }

  struct BadFile: Sendable, CustomTestStringConvertible {
    var name: String
    var json: String
    /// The field the error must name; nil when the file as a whole is wrong.
    var field: String?
    var testDescription: String { name }
  }

  static let badFiles: [BadFile] = {
    let ports = ConnectionInfoTests.ports
    func withPort(_ value: String) -> String {
      #"{"shell_port": \#(value), "iopub_port": 5556, "stdin_port": 5557, "control_port": 5558, "hb_port": 5559}"#
    }
    let publicKey = ConnectionInfoTests.publicKey
    let secretKey = ConnectionInfoTests.secretKey
    return [
      BadFile(
        name: "missing iopub port",
        json: #"{"shell_port": 5555, "stdin_port": 5557, "control_port": 5558, "hb_port": 5559}"#,
        field: "iopub_port"),
      BadFile(name: "null port", json: withPort("null"), field: "shell_port"),
      BadFile(name: "port 0", json: withPort("0"), field: "shell_port"),
      BadFile(name: "negative port", json: withPort("-1"), field: "shell_port"),
      BadFile(name: "port 70000", json: withPort("70000"), field: "shell_port"),
      BadFile(name: "port string 70000", json: withPort(#""70000""#), field: "shell_port"),
      BadFile(name: "port abc", json: withPort(#""abc""#), field: "shell_port"),
      BadFile(name: "port empty string", json: withPort(#""""#), field: "shell_port"),
      BadFile(name: "port true", json: withPort("true"), field: "shell_port"),
      BadFile(name: "port 1.5", json: withPort("1.5"), field: "shell_port"),
      BadFile(name: "port list", json: withPort("[5555]"), field: "shell_port"),
      BadFile(
        name: "transport inproc", json: #"{"transport": "inproc", \#(ports)}"#, field: "transport"),
      BadFile(name: "transport udp", json: #"{"transport": "udp", \#(ports)}"#, field: "transport"),
      BadFile(name: "transport number", json: #"{"transport": 1, \#(ports)}"#, field: "transport"),
      BadFile(name: "empty ip", json: #"{"ip": "", \#(ports)}"#, field: "ip"),
      BadFile(
        name: "scheme sha1", json: #"{"signature_scheme": "hmac-sha1", \#(ports)}"#,
        field: "signature_scheme"),
      BadFile(
        name: "scheme uppercase", json: #"{"signature_scheme": "HMAC-SHA256", \#(ports)}"#,
        field: "signature_scheme"),
      BadFile(name: "key number", json: #"{"key": 12345, \#(ports)}"#, field: "key"),
      BadFile(name: "key object", json: #"{"key": {"k": "v"}, \#(ports)}"#, field: "key"),
      BadFile(
        name: "only public curve key", json: #"{"curve_publickey": "\#(publicKey)", \#(ports)}"#,
        field: "curve_secretkey"),
      BadFile(
        name: "only secret curve key", json: #"{"curve_secretkey": "\#(secretKey)", \#(ports)}"#,
        field: "curve_publickey"),
      BadFile(
        name: "short public curve key",
        json:
          #"{"curve_publickey": "\#(publicKey.dropLast())", "curve_secretkey": "\#(secretKey)", \#(ports)}"#,
        field: "curve_publickey"),
      BadFile(
        name: "long secret curve key",
        json:
          #"{"curve_publickey": "\#(publicKey)", "curve_secretkey": "\#(secretKey)x", \#(ports)}"#,
        field: "curve_secretkey"),
      BadFile(name: "not JSON", json: "shell_port=5555", field: nil),
      BadFile(name: "truncated JSON", json: #"{"shell_port": 5555,"#, field: nil),
      BadFile(name: "empty file", json: "", field: nil),
      BadFile(name: "JSON array", json: "[5555, 5556]", field: nil),
      BadFile(name: "JSON string", json: #""kernel""#, field: nil),
      BadFile(name: "JSON null", json: "null", field: nil),
    ]
  }()

  @Test(arguments: badFiles)
  func badFileNamesPathAndField(file: BadFile) throws {
    let error = try #require(throws: ConnectionFileError.self) { try parse(file.json) }
    #expect(error.path == Self.path)
    #expect(error.field == file.field)
    #expect(error.description.hasPrefix("connection file \(Self.path): "))
    if let field = file.field {
      #expect(error.description.contains("field '\(field)'"))
    }
    #expect(!error.problem.isEmpty)
  }

  @Test func secretKeyNeverAppearsInErrors() throws {
    let json =
      #"{"curve_publickey": "\#(Self.publicKey)", "curve_secretkey": "\#(Self.secretKey)x", "key": "hmac-secret-value", "shell_port": 0}"#
    let error = try #require(throws: ConnectionFileError.self) { try parse(json) }
    #expect(!error.description.contains("hmac-secret-value"))
    #expect(!error.description.contains(Self.secretKey))
  }

  @Test func loadReadsAFile() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("prototests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("kernel-1.json")
    try Data(#"{\#(Self.ports), "key": "k"}"#.utf8).write(to: file)
    #expect(try ConnectionInfo.load(path: file.path).ports[.iopub] == 5556)

    let missing = directory.appendingPathComponent("kernel-missing.json").path
    let error = try #require(throws: ConnectionFileError.self) {
      try ConnectionInfo.load(path: missing)
    }
    #expect(error.path == missing)
    #expect(error.field == nil)
    #expect(error.description.contains(missing))
  }
}

@Suite struct SecretTests {
  private static let text = "s3cr3t-hmac-key-value"

  @Test func neverShowsItsBytes() {
    let secret = Secret(Self.text)
    var dumped = ""
    dump(secret, to: &dumped)
    let renderings = [
      secret.description, "\(secret)", String(describing: secret), String(reflecting: secret),
      dumped,
      "\([secret])", "\(Optional(secret) as Any)",
    ]
    for rendering in renderings {
      #expect(!rendering.contains(Self.text), "\(rendering)")
      #expect(!rendering.contains("115, 51, 99"), "\(rendering)")  // the bytes as numbers
    }
    #expect(secret.text == Self.text)
    #expect(secret.bytes == Array(Self.text.utf8))
  }

  @Test func connectionInfoDoesNotShowItsSecrets() throws {
    let info = try ConnectionInfo.parse(
      Data(
        #"""
        {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "\#(Self.text)",
         "curve_publickey": "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "curve_secretkey": "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"}
        """#.utf8), path: "k.json")
    var dumped = ""
    dump(info, to: &dumped)
    for rendering in ["\(info)", String(reflecting: info), dumped] {
      #expect(!rendering.contains(Self.text), "\(rendering)")
      #expect(!rendering.contains("JTKVSB"), "\(rendering)")
    }
  }
}
