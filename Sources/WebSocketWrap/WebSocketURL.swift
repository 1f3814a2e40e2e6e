/// A parsed `ws://` or `wss://` URL, with a redacted form for descriptions.
///
/// Parsed by hand (not Foundation) so the wrapper decides exactly what reaches
/// libwebsockets and what may be printed: query values are secrets (the LMK
/// socket carries `?token=…`) and never appear in `redacted`.
public struct WebSocketURL: Sendable, Equatable {
  public let secure: Bool
  /// The host name or IP literal, without brackets.
  public let host: String
  public let port: Int
  /// The request target: path and query, starting with `/`.
  public let target: String
  /// `Host:` header value: the host, with the port unless it is the default.
  public let hostHeader: String
  /// The URL with every query value replaced by `<redacted>`.
  public let redacted: String
  /// Query values, to scrub from text that might echo them (lws's error words).
  let secrets: [String]

  public init(_ text: String) throws {
    func invalid(_ why: String) -> WebSocketError {
      WebSocketError(kind: .invalidURL, detail: why, url: WebSocketURL.redactQuery(text))
    }
    guard let schemeEnd = text.firstRange(of: "://") else { throw invalid("no scheme") }
    switch text[..<schemeEnd.lowerBound].lowercased() {
    case "ws": secure = false
    case "wss": secure = true
    default: throw invalid("the scheme must be ws or wss")
    }
    var rest = text[schemeEnd.upperBound...]
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    var target = String(rest[authorityEnd...])
    if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
    guard !authority.contains("@") else {
      throw invalid("credentials in the URL are not supported")
    }
    guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw invalid("the path must be percent-encoded ASCII")
    }

    var hostPart: Substring
    var portText: Substring?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else {
        throw invalid("unclosed IPv6 literal")
      }
      hostPart = authority[authority.index(after: authority.startIndex)..<close]
      let after = authority[authority.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { throw invalid("junk after the IPv6 literal") }
        portText = after.dropFirst()
      }
    } else if let colon = authority.lastIndex(of: ":") {
      hostPart = authority[..<colon]
      portText = authority[authority.index(after: colon)...]
    } else {
      hostPart = authority
    }
    guard !hostPart.isEmpty,
      hostPart.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") })
    else { throw invalid("bad host") }
    let defaultPort = secure ? 443 : 80
    if let portText {
      guard !portText.isEmpty, portText.utf8.count <= 5, portText.allSatisfy(\.isASCIIDigit),
        let port = Int(portText), (1...65535).contains(port)
      else { throw invalid("bad port") }
      self.port = port
    } else {
      port = defaultPort
    }
    host = String(hostPart)
    self.target = target
    let bracketed = host.contains(":") ? "[\(host)]" : host
    hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
    redacted = (secure ? "wss://" : "ws://") + hostHeader + WebSocketURL.redactQuery(target)
    secrets = WebSocketURL.queryValues(target).filter { $0.utf8.count >= 4 }
  }

  /// Replaces each query value (or a bare query item) with `<redacted>`.
  static func redactQuery(_ text: String) -> String {
    guard let question = text.firstIndex(of: "?") else { return text }
    let items = text[text.index(after: question)...].split(
      separator: "&", omittingEmptySubsequences: false)
    let redactedItems = items.map { item -> String in
      if let equals = item.firstIndex(of: "=") { return item[...equals] + "<redacted>" }
      return item.isEmpty ? "" : "<redacted>"
    }
    return text[...question] + redactedItems.joined(separator: "&")
  }

  private static func queryValues(_ target: String) -> [String] {
    guard let question = target.firstIndex(of: "?") else { return [] }
    return target[target.index(after: question)...].split(separator: "&").flatMap { item in
      let raw = item.firstIndex(of: "=").map { item[item.index(after: $0)...] } ?? item
      let value = String(raw)
      let decoded = percentDecoded(value)
      return decoded == value ? [value] : [value, decoded]
    }
  }

  /// Replaces any query value found in `text` by `<redacted>`.
  func scrub(_ text: String) -> String {
    secrets.reduce(text) { $0.replacing($1, with: "<redacted>") }
  }
}

private func percentDecoded(_ text: String) -> String {
  var bytes: [UInt8] = []
  var iterator = Array(text.utf8)[...]
  while let byte = iterator.popFirst() {
    if byte == UInt8(ascii: "%"), iterator.count >= 2,
      let high = hexValue(iterator[iterator.startIndex]),
      let low = hexValue(iterator[iterator.startIndex + 1])
    {
      bytes.append(high << 4 | low)
      iterator = iterator.dropFirst(2)
    } else {
      bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
    }
  }
  return String(decoding: bytes, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
  switch byte {
  case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
  case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
  case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
  default: nil
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
