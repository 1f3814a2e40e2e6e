/// Picks the HTTP CONNECT proxy for a URL from the standard environment
/// variables, and puts it in the form libwebsockets 4.1 takes.
///
/// lws itself reads only `http_proxy` (for ws and wss alike) and knows nothing of
/// `no_proxy`, so the wrapper decides and hands lws the answer.
enum ProxyResolver {
  /// lws copies the proxy into a 128-byte buffer and the credentials into a 96-byte one.
  static let maxLength = 127
  static let maxCredentialsLength = 95

  /// `[user:password@]host:port` for lws, or nil for a direct connection.
  static func proxy(
    for url: WebSocketURL, setting: WebSocketOptions.ProxySetting,
    environment: (String) -> String?
  ) throws -> String? {
    let value: String
    switch setting {
    case .none: return nil
    case .url(let text): value = text
    case .environment:
      let names =
        url.secure
        ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        // Only lowercase http_proxy, as curl: HTTP_PROXY can be set by a CGI request header.
        : ["http_proxy", "all_proxy", "ALL_PROXY"]
      guard let found = names.lazy.compactMap(environment).first(where: { !$0.isEmpty }) else {
        return nil
      }
      let exemptions = environment("no_proxy") ?? environment("NO_PROXY") ?? ""
      if exempts(exemptions, host: url.host) { return nil }
      value = found
    }
    return try normalized(value, url: url)
  }

  /// Whether a `no_proxy` list names the host: `*`, the host itself, or a parent domain.
  static func exempts(_ list: String, host: String) -> Bool {
    let host = host.lowercased()
    for raw in list.split(separator: ",") {
      var entry = raw.trimmingSpaces.lowercased()
      if entry == "*" { return true }
      if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
        entry = String(entry[entry.index(after: entry.startIndex)..<close])
      } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
        entry = String(entry[..<colon])  // host:port; the port is ignored
      }
      while entry.hasPrefix(".") || entry.hasPrefix("*.") {
        entry = String(entry.drop { $0 == "." || $0 == "*" })
      }
      if entry.isEmpty { continue }
      if host == entry || host.hasSuffix("." + entry) { return true }
    }
    return false
  }

  private static func normalized(_ text: String, url: WebSocketURL) throws -> String {
    func invalid(_ why: String) -> WebSocketError {
      WebSocketError(kind: .invalidConfiguration, detail: why, url: url.redacted)
    }
    var rest = Substring(text.trimmingSpaces)
    if let schemeEnd = rest.firstRange(of: "://") {
      let scheme = rest[..<schemeEnd.lowerBound].lowercased()
      guard scheme == "http" else {
        throw invalid(
          "proxy scheme \(scheme) is not supported (libwebsockets 4.1 does HTTP CONNECT only)")
      }
      rest = rest[schemeEnd.upperBound...]
    }
    if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
    var credentials = ""
    if let at = rest.lastIndex(of: "@") {
      credentials = String(rest[...at])
      rest = rest[rest.index(after: at)...]
      guard credentials.utf8.count - 1 <= maxCredentialsLength else {
        throw invalid("proxy credentials are too long for libwebsockets")
      }
    }
    guard !rest.isEmpty, rest.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw invalid("bad proxy host")
    }
    // lws needs host:port; curl's default proxy port is 1080.
    let hasPort: Bool
    if rest.hasPrefix("[") {
      hasPort = rest.contains("]:")
    } else {
      hasPort = rest.contains(":")
    }
    let hostPort = hasPort ? String(rest) : "\(rest):1080"
    let result = credentials + hostPort
    guard result.utf8.count <= maxLength else {
      throw invalid("proxy address is too long for libwebsockets")
    }
    return result
  }

  /// The proxy's `host:port`, without credentials, for descriptions.
  static func displayName(_ proxy: String) -> String {
    guard let at = proxy.lastIndex(of: "@") else { return proxy }
    return String(proxy[proxy.index(after: at)...])
  }
}

extension StringProtocol {
  fileprivate var trimmingSpaces: String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}
