import Testing

@testable import WebSocketWrap

@Suite struct URLTests {
  @Test func partsAndDefaults() throws {
    let url = try WebSocketURL("wss://api.lmkapp.dev/v1/session/ws?token=abc.def&x=1")
    #expect(url.secure && url.host == "api.lmkapp.dev" && url.port == 443)
    #expect(url.target == "/v1/session/ws?token=abc.def&x=1")
    #expect(url.hostHeader == "api.lmkapp.dev")
    #expect(url.redacted == "wss://api.lmkapp.dev/v1/session/ws?token=<redacted>&x=<redacted>")
    let plain = try WebSocketURL("WS://127.0.0.1:8080?q")
    #expect(!plain.secure && plain.port == 8080 && plain.target == "/?q")
    #expect(plain.hostHeader == "127.0.0.1:8080")
    #expect(plain.redacted == "ws://127.0.0.1:8080/?<redacted>")
    let six = try WebSocketURL("ws://[::1]:9000/p#frag")
    #expect(six.host == "::1" && six.hostHeader == "[::1]:9000" && six.target == "/p")
  }

  @Test func badURLsThrowAndNeverTrap() {
    for text in [
      "", "http://h/", "ws://", "ws://h:0/", "ws://h:65536/", "ws://h:-1/",
      "ws://h:99999999999999999999999/", "ws://u:p@h/", "ws://h/a b", "ws://[::1/", "ws://h:/",
      "wss://h:１２/",
    ] {
      #expect(throws: WebSocketError.self, "\(text)") { try WebSocketURL(text) }
    }
  }

  @Test func scrubRemovesQueryValuesAndTheirDecodedForm() throws {
    let url = try WebSocketURL("ws://h/?token=a%2Fb%2Bc-long")
    #expect(url.scrub("saw a%2Fb%2Bc-long and a/b+c-long") == "saw <redacted> and <redacted>")
  }
}
