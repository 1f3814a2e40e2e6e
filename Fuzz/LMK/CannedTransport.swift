import Foundation
import HTTPTypes
import OpenAPIRuntime

/// A transport that answers every request with the same fuzzed response, in
/// place of `CurlTransport` (whose body and header lines reach the generated
/// client the same way).
struct CannedTransport: ClientTransport {
  var status: Int
  var fields: HTTPFields
  var body: [UInt8]

  func send(_ request: HTTPRequest, body _: HTTPBody?, baseURL _: URL, operationID _: String)
    async throws -> (HTTPResponse, HTTPBody?)
  {
    var response = HTTPResponse(status: .init(code: status))
    response.headerFields = fields
    return (response, HTTPBody(body))
  }
}
