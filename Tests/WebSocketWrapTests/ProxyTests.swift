import Foundation
import Testing

@testable import WebSocketWrap

@Suite struct ProxyTests {
  private func resolve(_ url: String, _ environment: [String: String]) throws -> String? {
    try ProxyResolver.proxy(for: try WebSocketURL(url), setting: .environment) { environment[$0] }
  }

  @Test func environmentVariablesAreReadAsCurlDoes() throws {
    #expect(try resolve("wss://api.example.com/x", [:]) == nil)
    #expect(try resolve("wss://api.example.com/x", ["https_proxy": "http://p:3128/"]) == "p:3128")
    #expect(try resolve("wss://api.example.com/x", ["HTTPS_PROXY": "p:8080"]) == "p:8080")
    #expect(try resolve("wss://api.example.com/x", ["http_proxy": "p:1"]) == nil)
    #expect(try resolve("ws://api.example.com/x", ["http_proxy": "p:1"]) == "p:1")
    #expect(try resolve("ws://api.example.com/x", ["HTTP_PROXY": "p:1"]) == nil)
    #expect(try resolve("ws://api.example.com/x", ["ALL_PROXY": "p"]) == "p:1080")
    #expect(
      try resolve("wss://h/x", ["https_proxy": "http://user:pw@p:3128"]) == "user:pw@p:3128")
  }

  @Test func noProxyExemptsHostsAndDomains() throws {
    let proxy = ["https_proxy": "p:3128"]
    func exempt(_ host: String, _ list: String) throws -> Bool {
      try resolve("wss://\(host)/", proxy.merging(["no_proxy": list]) { $1 }) == nil
    }
    #expect(try exempt("api.lmkapp.dev", "lmkapp.dev"))
    #expect(try exempt("api.lmkapp.dev", ".lmkapp.dev"))
    #expect(try exempt("api.lmkapp.dev", "localhost, *.lmkapp.dev"))
    #expect(try exempt("API.lmkapp.dev", "LMKAPP.DEV:443"))
    #expect(try exempt("anything", "*"))
    #expect(try !exempt("api.lmkapp.dev", "app.dev, other.lmkapp.dev"))
    #expect(try !exempt("evil-lmkapp.dev", "lmkapp.dev"))
    #expect(try exempt("127.0.0.1", "127.0.0.1"))
  }

  @Test func unsupportedProxySchemesAreRefusedClearly() throws {
    let error = try #require(throws: WebSocketError.self) {
      try resolve("wss://h/?token=abcdef", ["https_proxy": "socks5://p:1080"])
    }
    #expect(error.kind == .invalidConfiguration)
    #expect(error.description.contains("socks5"))
    #expect(!error.description.contains("abcdef"))
  }

  @Test func connectsThroughAnHTTPConnectProxy() throws {
    let server = try TestServer()
    for secure in [false, true] {
      let recorder = EventRecorder()
      var options = WebSocketOptions()
      options.proxy = .url("http://127.0.0.1:\(server.proxyPort)")
      options.trustedCertificatesFile = server.certificateFile
      let client = try recorder.connect(
        secure ? server.wss("/stats") : server.ws("/stats"), options)
      #expect(client.proxy == "127.0.0.1:\(server.proxyPort)")
      try recorder.wait(for: "the stats") { _ in !recorder.texts.isEmpty }
      let stats = try JSONSerialization.jsonObject(with: Data(recorder.texts[0].utf8))
      #expect((stats as? [String: Int])?["proxy_connections"] == (secure ? 2 : 1))
      client.close()
      _ = try recorder.terminal()
    }
  }
}
