import CCurlShim
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import Synchronization

/// Connect and total limits for one HTTP exchange; a retry budget can shorten `total`.
public struct HTTPTimeouts: Sendable, Equatable {
  public var connect: Duration
  public var total: Duration

  public init(connect: Duration = .seconds(10), total: Duration = .seconds(30)) {
    self.connect = connect
    self.total = total
  }
}

/// `ClientTransport` over the system libcurl, so TLS, proxies (`https_proxy`, `no_proxy`…)
/// and connection reuse behave like every other curl-based tool on the machine.
///
/// `curl_easy_perform` blocks, so it runs on a thread of its own, never on the
/// cooperative pool. Easy handles are pooled so keep-alive connections are reused.
public final class CurlTransport: ClientTransport, Sendable {
  /// The latest instant a request may still be running (set by the retry middleware so a
  /// short budget at shutdown also bounds the attempt in flight).
  @TaskLocal static var deadline: ContinuousClock.Instant?

  private let timeouts: HTTPTimeouts
  private let userAgent: String
  private let maxResponseBytes: Int
  private let logger: Logger
  private let pool = HandlePool()
  private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

  public init(
    timeouts: HTTPTimeouts = HTTPTimeouts(),
    userAgent: String = "jupyter-lmk/\(LMKClientInfo.version)",
    maxResponseBytes: Int = 4 << 20, logger: Logger
  ) {
    _ = Self.globalInit
    self.timeouts = timeouts
    self.userAgent = userAgent
    self.maxResponseBytes = maxResponseBytes
    self.logger = logger
  }

  public func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String)
    async throws -> (
      HTTPResponse, HTTPBody?
    )
  {
    let payload: Data? =
      if let body { try await Data(collecting: body, upTo: maxResponseBytes) } else { nil }
    var base = baseURL.absoluteString
    while base.hasSuffix("/") { base.removeLast() }
    let url = base + (request.path ?? "/")
    var total = timeouts.total
    if let deadline = Self.deadline {
      let remaining = deadline - .now
      if remaining <= .zero {
        throw LMKError.transport(
          operation: operationID, code: Int(CURLE_OPERATION_TIMEDOUT.rawValue),
          message: "time budget exhausted before the request started", retryable: true)
      }
      total = min(total, remaining)
    }
    let exchange = Exchange(
      method: request.method.rawValue, url: url,
      headers: request.headerFields.map { "\($0.name.rawName): \($0.value)" },
      hasContentType: request.headerFields[.contentType] != nil, body: payload,
      connectMs: Self.milliseconds(timeouts.connect), totalMs: Self.milliseconds(total),
      userAgent: userAgent, maxResponseBytes: maxResponseBytes)
    let started = ContinuousClock.now
    // A thread of its own per request: a blocked dispatch worker would count against
    // libdispatch's small pool, so one hanging server could stall every other request.
    let cancel = CancelFlag()
    // A thread of its own per request: a blocked dispatch worker would count against
    // libdispatch's small pool, so one hanging server could stall every other request.
    let result = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<ExchangeResult, Never>) in
        let thread = Thread { [pool] in
          let handle = pool.take()
          continuation.resume(returning: exchange.perform(on: handle, cancel: cancel))
          pool.give(handle)
        }
        thread.name = "jupyter-lmk-curl"
        thread.start()
      }
    } onCancel: {
      cancel.set()
    }
    let elapsed = ContinuousClock.now - started
    switch result {
    case .failure(CURLE_ABORTED_BY_CALLBACK, _) where cancel.isSet:
      throw CancellationError()
    case .failure(let code, let message):
      logger.debug(
        "\(request.method.rawValue) \(redactedURL(url)) failed after \(elapsed): \(message)")
      throw LMKError.transport(
        operation: operationID, code: Int(code.rawValue), message: redactedURL(message),
        retryable: Self.isRetryable(code))
    case .response(let status, let fields, let data):
      logger.debug("\(request.method.rawValue) \(redactedURL(url)) -> \(status) in \(elapsed)")
      var response = HTTPResponse(status: .init(code: status))
      response.headerFields = fields
      return (response, HTTPBody(data))
    }
  }

  private static func milliseconds(_ d: Duration) -> Int { d.clampedMilliseconds(minimum: 1) }

  /// TLS failures (certificate, CA bundle, handshake): a configuration problem.
  static func isTLSProblem(_ code: Int) -> Bool {
    let tls: [CURLcode] = [
      CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
      CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
      CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
      CURLE_SSL_CRL_BADFILE, CURLE_SSL_CONNECT_ERROR,
    ]
    return tls.contains { Int($0.rawValue) == code }
  }

  /// Failures where the same request may work a moment later; certificate and URL
  /// problems are not among them.
  private static func isRetryable(_ code: CURLcode) -> Bool {
    switch code {
    case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
      CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
      CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR:
      return true
    default:
      return false
    }
  }
}

/// Lock-guarded free list of curl easy handles (each keeps its own connection cache). The
/// handles are kept as addresses: a C pointer is not `Sendable`, an address is.
private final class HandlePool: Sendable {
  private let free = Mutex<[UInt]>([])

  func take() -> UnsafeMutableRawPointer? {
    if let handle = UnsafeMutableRawPointer(bitPattern: free.withLock { $0.popLast() ?? 0 }) {
      curl_easy_reset(handle)
      return handle
    }
    return curl_easy_init()
  }

  func give(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    let address = UInt(bitPattern: handle)
    let kept = free.withLock { free -> Bool in
      guard free.count < 4 else { return false }
      free.append(address)
      return true
    }
    if !kept { curl_easy_cleanup(handle) }
  }

  /// Handles kept for reuse go with the pool (LeakSanitizer found them leaking).
  deinit {
    for address in free.withLock({ $0 }) {
      if let handle = UnsafeMutableRawPointer(bitPattern: address) { curl_easy_cleanup(handle) }
    }
  }
}

private enum ExchangeResult: Sendable {
  case response(status: Int, fields: HTTPFields, body: Data)
  case failure(CURLcode, String)
}

/// One request's parameters, applied to an easy handle on the curl queue.
private struct Exchange: Sendable {
  let method: String
  let url: String
  let headers: [String]
  let hasContentType: Bool
  let body: Data?
  let connectMs: Int
  let totalMs: Int
  let userAgent: String
  let maxResponseBytes: Int

  func perform(on handle: UnsafeMutableRawPointer?, cancel: CancelFlag) -> ExchangeResult {
    guard let handle else { return .failure(CURLE_FAILED_INIT, "could not create a curl handle") }
    let sink = ResponseSink(limit: maxResponseBytes, cancel: cancel)
    let unmanaged = Unmanaged.passRetained(sink)
    defer { unmanaged.release() }
    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var list: UnsafeMutablePointer<curl_slist>? = nil
    for header in headers { list = curl_slist_append(list, header) }
    list = curl_slist_append(list, "Expect:")
    if body == nil && !hasContentType && method != "GET" {
      list = curl_slist_append(list, "Content-Type:")
    }
    defer { curl_slist_free_all(list) }

    let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
      lmk_curl_setopt_string(handle, CURLOPT_URL, url)
      // Never follow a redirect: the bearer token must not travel to another origin, and a
      // 3xx is a fault to retry later (the caller keeps the event).
      lmk_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
      lmk_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
      lmk_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
      lmk_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectMs)
      lmk_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, totalMs)
      lmk_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
      lmk_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
      lmk_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
      lmk_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
      lmk_curl_setopt_write_function(handle, writeToSink)
      lmk_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
      lmk_curl_setopt_header_function(handle, headerToSink)
      lmk_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque())
      lmk_curl_setopt_xferinfo_function(handle, checkCancelled)
      lmk_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, unmanaged.toOpaque())
      lmk_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
      switch method {
      case "GET": lmk_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
      case "HEAD": lmk_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
      default:
        if method != "POST" { lmk_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) }
        if body != nil || method == "POST" {
          let bytes = body ?? Data()
          lmk_curl_setopt_long(handle, CURLOPT_POST, 1)
          lmk_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, bytes.count)
          _ = bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress, raw.count > 0 {
              lmk_curl_setopt_pointer(
                handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
            } else {
              lmk_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            }
          }
        }
      }
      return curl_easy_perform(handle)
    }
    guard code == CURLE_OK else {
      let detail = String(
        decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let summary = String(cString: curl_easy_strerror(code))
      if code == CURLE_WRITE_ERROR && sink.overflowed {
        return .failure(code, "response larger than \(maxResponseBytes) bytes")
      }
      // curl's detail names the cause ("Could not resolve host: x") and mostly repeats its
      // generic summary ("Couldn't resolve host name"): one of them, the specific one.
      return .failure(code, detail.isEmpty ? summary : detail)
    }
    var status = 0
    lmk_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
    // HTTPResponse.Status traps outside 0...999; anything but a real status is a garbage reply.
    guard (100...599).contains(status) else {
      return .failure(CURLE_WEIRD_SERVER_REPLY, "the server answered with HTTP status \(status)")
    }
    return .response(status: status, fields: sink.fields, body: sink.body)
  }
}

/// Receives the body and header lines from curl's callbacks (used on one thread only).
private final class ResponseSink {
  let limit: Int
  let cancel: CancelFlag
  var body = Data()
  var fields = HTTPFields()
  var overflowed = false

  init(limit: Int, cancel: CancelFlag) {
    self.limit = limit
    self.cancel = cancel
  }

  func header(_ line: String) {
    if line.hasPrefix("HTTP/") {
      fields = HTTPFields()  // a new response (after 100-continue or a proxy CONNECT)
      return
    }
    guard let colon = line.firstIndex(of: ":"),
      let name = HTTPField.Name(String(line[..<colon]).trimmingCharacters(in: .whitespaces))
    else { return }
    fields.append(
      HTTPField(
        name: name,
        value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)))
  }
}

private let writeToSink:
  @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    if overflow || length > sink.limit - sink.body.count {
      sink.overflowed = true
      return 0
    }
    sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
    return length
  }

/// curl's progress callback (about once a second, and on every transfer step): a
/// non-zero return aborts the transfer when the calling task was cancelled.
private let checkCancelled:
  @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 =
    {
      context, _, _, _, _ in
      guard let context else { return 0 }
      return Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue().cancel.isSet ? 1 : 0
    }

/// Set from the task's cancellation handler, read on the curl thread.
final class CancelFlag: Sendable {
  private let value = Atomic(false)

  func set() { value.store(true, ordering: .releasing) }
  var isSet: Bool { value.load(ordering: .acquiring) }
}

private let headerToSink:
  @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    sink.header(String(decoding: bytes, as: UTF8.self))
    return length
  }

/// Facts about this client that appear on the wire.
public enum LMKClientInfo {
  /// Sent in `User-Agent: jupyter-lmk/<version>`.
  public static let version = "0.1.0"
}
