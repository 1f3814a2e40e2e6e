import Foundation
import HTTPTypes
import OpenAPIRuntime
import Testing

@testable import LMKClient

/// Every operation of the contract against the stand-in, which validates each request body.
@Suite struct OperationsTests {
  @Test func everyOperationRoundTripsAndEveryRequestIsValid() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    let service = try standIn.service()

    let app = try await service.currentApp()
    #expect(app.appId == LMKConfiguration.officialAppID)

    let channels = try await service.listChannels()
    #expect(channels.map(\.notificationChannelId).sorted() == ["ch-email", "ch-push", "ch-sms"])
    #expect(channels.filter(\.isDefault).map(\.notificationChannelId) == ["ch-email"])

    var state = LMKService.JupyterState(_type: .jupyter, notifyOn: "error")
    state.notebookName = "train.ipynb"
    state.shellState = "idle"
    state.notifyChannel = "ch-sms"
    let session = try await service.createSession(name: "train.ipynb", state: state)
    #expect(try await service.getSession(id: session.sessionId).name == "train.ipynb")

    var partial = LMKService.PartialJupyterState()
    partial.shellState = "running"
    partial.cellState = "running"
    partial.cellError = ""
    partial.executionNum = 3
    partial.cellStartedAt = "2026-01-01T00:00:00.000Z"
    try await service.updateSession(id: session.sessionId, state: partial)

    await #expect(
      throws: LMKError.http(
        operation: "sessionAction", status: 412, message: "no client is connected to the session")
    ) {
      try await service.sessionAction(id: session.sessionId, action: "interrupt")
    }

    let event = LMKService.Event(
      sessionId: session.sessionId, message: "**done**", contentType: .text_sol_markdown,
      notificationConfig: .init(notify: true, channelIds: ["ch-sms"]))
    guard case .delivered = try await service.postEvent(event) else {
      Issue.record("event not delivered")
      return
    }
    #expect(service.outbox.pending().isEmpty)

    try await service.endSession(id: session.sessionId)
    await #expect(throws: LMKError.sessionEnded(sessionID: session.sessionId)) {
      try await service.updateSession(id: session.sessionId, state: partial)
    }

    let login = try await service.startLogin()
    let output = try await service.anonymousClient.getHeadlessAuthSession(
      path: .init(sessionId: login.sessionId))
    guard case .ok(let ok) = output else {
      Issue.record("getHeadlessAuthSession: \(output)")
      return
    }
    #expect(try ok.body.json.authorizeUrl == login.authorizeUrl)
    // OpenAPI ignores header parameters named Authorization, so the generated `token`
    // operation has none: its HTTP Basic credentials come from a middleware.
    let oauth = Client(
      serverURL: service.serverURL, transport: CurlTransport(logger: .init(label: "test")),
      middlewares: [BasicAuth(credentials: "aWQ6c2VjcmV0")])
    let token = try await oauth.token(
      body: .json(
        .init(
          grant_type: .authorization_code, redirect_uri: "http://localhost/cb", code: "c",
          refresh_token: "")))
    guard case .created = token else {
      Issue.record("token: \(token)")
      return
    }

    let sessions = try await standIn.sessions()
    let history = sessions.first?["history"] as? [[String: Any]] ?? []
    #expect(history.map { $0["op"] as? String } == ["create", "update", "end"])
    let events = try await standIn.events()
    #expect(events.map { $0["message"] as? String } == ["**done**"])

    let requests = try await standIn.requests()
    let operations = Set(requests.map { "\($0["method"] ?? "") \($0["path"] ?? "")" })
    // The other two operations (token poll, refresh) are covered in CredentialTests.
    let id = session.sessionId
    #expect(
      operations == [
        "GET /v1/app/current", "GET /v1/notificationChannel", "POST /v1/session",
        "GET /v1/session/\(id)",
        "PATCH /v1/session/\(id)", "POST /v1/session/\(id)/action", "POST /v1/event",
        "POST /v1/session/\(id)/end",
        "POST /v1/headlessAuth", "GET /v1/headlessAuth/\(login.sessionId)", "POST /oauth/token",
      ])
    for request in requests {
      #expect(
        request["valid"] as? Bool == true,
        "invalid request: \(request["method"] ?? "") \(request["path"] ?? ""): \(request["error"] ?? "")"
      )
      let agent = (request["headers"] as? [String: Any])?["user-agent"] as? String
      #expect(agent == "jupyter-lmk/\(LMKClientInfo.version)")
    }
  }

  @Test func serverErrorsCarryStatusAndMessage() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-A"])
    defer { standIn.stop() }
    try standIn.writeConfig(pythonProfile(access: "tok-A", refresh: nil, expiresInSeconds: 3600))
    let service = try standIn.service()
    await #expect(
      throws: LMKError.http(operation: "getSession", status: 404, message: "no such session")
    ) {
      _ = try await service.getSession(id: "nope")
    }
    // A bad token with nothing to refresh it with: the server's 401 and its message.
    try standIn.writeConfig(pythonProfile(access: "wrong", refresh: nil, expiresInSeconds: 3600))
    let unauthorised = try standIn.service()
    do {
      _ = try await unauthorised.listChannels()
      Issue.record("expected a 401")
    } catch let LMKError.http(operation, status, message) {
      #expect(operation == "listNotificationChannels")
      #expect(status == 401)
      #expect(!message.isEmpty)
      #expect(!message.contains("wrong"))
    }
  }

  @Test func withoutCredentialsNothingIsSent() async throws {
    let standIn = try await StandIn.start(accessTokens: ["tok-late"])
    defer { standIn.stop() }
    let service = try standIn.service()
    #expect(!service.hasCredentials())
    await #expect(throws: LMKError.notLoggedIn(profile: "python", configPath: standIn.configPath)) {
      _ = try await service.listChannels()
    }
    #expect(try await standIn.requests().isEmpty)
    // A login by another process later is picked up by the same service.
    try standIn.writeConfig(pythonProfile(access: "tok-late", refresh: nil, expiresInSeconds: 3600))
    #expect(try await service.listChannels().count == 3)
    #expect(try await standIn.requests().count == 1)
  }
}

struct BasicAuth: ClientMiddleware {
  let credentials: String

  func intercept(
    _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
    next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
  ) async throws -> (HTTPResponse, HTTPBody?) {
    var request = request
    request.headerFields[.authorization] = "Basic \(credentials)"
    return try await next(request, body, baseURL)
  }
}
