import Foundation
import OutsideFiles

/// The contents of a kernel's connection file (`kernel-*.json`).
///
/// Field names and types follow jupyter_client's `write_connection_file` and
/// the JEP 106 schema: ports may be numbers or numeric strings, transports are
/// `tcp` or `ipc`, and a CurveZMQ key pair appears with transport encryption.
public struct ConnectionInfo: Sendable, Equatable {
  public enum Transport: String, Sendable { case tcp, ipc }
  public enum Channel: String, Sendable, CaseIterable {
    case shell, iopub, stdin, control, hb
  }

  public var transport: Transport
  public var ip: String
  public var ports: [Channel: Int]
  public var key: Secret
  public var signatureScheme: SignatureScheme
  public var kernelName: String
  /// `JPY_SESSION_NAME` as jupyter_client copied it; nil when absent or empty.
  public var jupyterSession: String?
  /// The kernel's CurveZMQ key pair (Z85), when transport encryption is on.
  public var curvePublicKey: String?
  public var curveSecretKey: Secret?

  /// The ZeroMQ endpoint of a channel: `tcp://ip:port` or `ipc://ip-port`.
  public func endpoint(_ channel: Channel) -> String {
    let port = ports[channel] ?? 0
    switch transport {
    case .tcp: return "tcp://\(ip.contains(":") ? "[\(ip)]" : ip):\(port)"
    case .ipc: return "ipc://\(ip)-\(port)"
    }
  }
}

/// Why a connection file could not be used; the message names the file and the field.
public struct ConnectionFileError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let field: String?
  public let problem: String

  public var description: String {
    if let field { return "connection file \(path): field '\(field)': \(problem)" }
    return "connection file \(path): \(problem)"
  }
}

extension ConnectionInfo {
  /// Reads and validates a connection file.
  public static func load(path: String) throws -> ConnectionInfo {
    // A FIFO or device is refused before a byte is read, a huge file after 1 MiB.
    switch OutsideFile.read(path, limit: OutsideFile.smallFileLimit) {
    case .success(let data): return try parse(data, path: path)
    case .failure(.missing):
      throw ConnectionFileError(
        path: path, field: nil, problem: "cannot be read (No such file or directory)")
    case .failure(.problem(let problem)):
      throw ConnectionFileError(path: path, field: nil, problem: problem)
    }
  }

  /// Validates connection-file JSON; `path` is only used in error messages.
  public static func parse(_ data: Data, path: String) throws -> ConnectionInfo {
    func fail(_ field: String?, _ problem: String) -> ConnectionFileError {
      ConnectionFileError(path: path, field: field, problem: problem)
    }
    let raw: RawConnectionFile
    do {
      raw = try JSONDecoder().decode(RawConnectionFile.self, from: data)
    } catch let DecodingError.typeMismatch(type, context) {
      guard let field = context.codingPath.first?.stringValue else {
        throw fail(nil, "is not a JSON object")
      }
      let expected = type == PortValue.self ? "an integer or a numeric string" : "a string"
      throw fail(field, "must be \(expected)")
    } catch {
      throw fail(nil, "is not a valid JSON object")
    }

    let transportName = raw.transport ?? "tcp"
    guard let transport = Transport(rawValue: transportName) else {
      throw fail("transport", "'\(transportName)' is not supported (use tcp or ipc)")
    }

    var ports: [Channel: Int] = [:]
    for channel in Channel.allCases {
      let field = "\(channel.rawValue)_port"
      guard let value = raw.port(channel) else { throw fail(field, "is missing") }
      let limit = transport == .tcp ? 65535 : Int(Int32.max)
      guard let port = value.number, port > 0, port <= limit else {
        throw fail(field, "must be a port number from 1 to \(limit)")
      }
      ports[channel] = port
    }

    let ip = raw.ip ?? "127.0.0.1"
    guard !ip.isEmpty else { throw fail("ip", "is empty") }

    let schemeName = raw.signature_scheme ?? "hmac-sha256"
    guard let scheme = SignatureScheme(rawValue: schemeName) else {
      throw fail(
        "signature_scheme", "'\(schemeName)' is not supported (hmac-sha256, hmac-sha512, hmac-md5)")
    }

    let publicKey = raw.curve_publickey ?? ""
    let secretKey = raw.curve_secretkey ?? ""
    if publicKey.isEmpty != secretKey.isEmpty {
      throw fail(
        publicKey.isEmpty ? "curve_publickey" : "curve_secretkey",
        "is missing while the other CurveZMQ key is present")
    }
    for (field, value) in [("curve_publickey", publicKey), ("curve_secretkey", secretKey)]
    where !value.isEmpty && value.utf8.count != 40 {
      throw fail(field, "must be a 40-character Z85 key")
    }

    return ConnectionInfo(
      transport: transport, ip: ip, ports: ports, key: Secret(raw.key ?? ""),
      signatureScheme: scheme, kernelName: raw.kernel_name ?? "",
      jupyterSession: raw.jupyter_session.flatMap { $0.isEmpty ? nil : $0 },
      curvePublicKey: publicKey.isEmpty ? nil : publicKey,
      curveSecretKey: secretKey.isEmpty ? nil : Secret(secretKey))
  }
}

/// A port as JEP 106 allows it: a number or a numeric string.
private enum PortValue: Decodable {
  case number(Int?)

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let number = try? container.decode(Int.self) {
      self = .number(number)
    } else if let text = try? container.decode(String.self) {
      self = .number(Int(text))
    } else {
      throw DecodingError.typeMismatch(
        PortValue.self, .init(codingPath: decoder.codingPath, debugDescription: "not a port"))
    }
  }

  var number: Int? {
    switch self {
    case .number(let value): value
    }
  }
}

/// The connection file as written; validated field by field in `parse`.
private struct RawConnectionFile: Decodable {
  var transport: String?
  var ip: String?
  var key: String?
  var signature_scheme: String?
  var kernel_name: String?
  var jupyter_session: String?
  var curve_publickey: String?
  var curve_secretkey: String?
  var shell_port: PortValue?
  var iopub_port: PortValue?
  var stdin_port: PortValue?
  var control_port: PortValue?
  var hb_port: PortValue?

  func port(_ channel: ConnectionInfo.Channel) -> PortValue? {
    switch channel {
    case .shell: shell_port
    case .iopub: iopub_port
    case .stdin: stdin_port
    case .control: control_port
    case .hb: hb_port
    }
  }
}
