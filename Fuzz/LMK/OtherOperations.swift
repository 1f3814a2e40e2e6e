import Foundation
import OpenAPIRuntime

@testable import LMKClient

/// The generated client's other operations, each answered by the canned
/// response; undocumented statuses go through `LMKService.failure` as the
/// facade does.
enum OtherOperations {
  static func call(_ index: Int, client: Client, service: LMKService?) {
    _ = Blocking.run { () async throws -> Bool in
      switch index % 6 {
      case 0:
        let output = try await client.createSession(
          body: .json(
            .init(state: .jupyter(.init(_type: .jupyter, notifyOn: "stop")), name: "fuzz")))
        switch output {
        case .created(let created): _ = try created.body.json
        case .undocumented(let status, let payload): await fail(service, status, payload)
        }
      case 1:
        switch try await client.listNotificationChannels() {
        case .ok(let ok): _ = try ok.body.json.channels
        case .undocumented(let status, let payload): await fail(service, status, payload)
        }
      case 2:
        switch try await client.getCurrentApp() {
        case .ok(let ok): _ = try ok.body.json
        case .forbidden: break
        case .undocumented(let status, let payload): await fail(service, status, payload)
        }
      case 3:
        switch try await client.createHeadlessAuthSession(
          body: .json(.init(appId: "app", scope: "scope")))
        {
        case .created(let created): _ = try created.body.json
        case .undocumented(let status, let payload): await fail(service, status, payload)
        }
      case 4:
        switch try await client.retrieveHeadlessAuthSessionToken(path: .init(sessionId: "s")) {
        case .ok(let ok):
          let body = try ok.body.json
          let grant = TokenGrant(
            accessToken: body.access_token, refreshToken: body.refresh_token,
            expiresIn: body.expires_in)
          try LMKHarness.store.save(grant, now: LMKHarness.now)
        case .preconditionFailed, .gone: break
        case .undocumented(let status, let payload): await fail(service, status, payload)
        }
      default:
        switch try await client.getSession(path: .init(sessionId: "s")) {
        case .ok(let ok): _ = try ok.body.json
        case .notFound: break
        case .undocumented(let status, let payload): await fail(service, status, payload)
        }
      }
      return true
    }
  }

  private static func fail(_ service: LMKService?, _ status: Int, _ payload: UndocumentedPayload)
    async
  {
    _ = await service?.failure("fuzz", status, payload)
  }
}
