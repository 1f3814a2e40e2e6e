// The libwebsockets side of CWebSockets.h. libwebsockets is single-threaded:
// everything touching the context or the wsi happens on the service thread,
// except lws_cancel_service, which lws documents as callable from any thread.
// Other threads talk to the service thread through `lock`-guarded fields and
// one coalesced wake-up (LWS_CALLBACK_EVENT_WAIT_CANCELLED).
#define _GNU_SOURCE
#include "CWebSockets.h"

#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct queued_message {
  struct queued_message *next;
  size_t length;
  int binary;
  unsigned char bytes[];  // LWS_PRE of headroom, then the payload
};

struct lmk_ws_client {
  // Immutable after start.
  char *address, *path, *host_header, *proxy, *ca_file;
  char **header_names, **header_values;
  size_t header_count;
  int port, tls;
  unsigned close_timeout_ms;
  size_t max_message_bytes, max_queued_bytes;
  lws_retry_bo_t retry;
  struct lws_protocols protocols[2];
  lmk_ws_event_fn on_event;
  void *user;
  pthread_t thread;

  pthread_mutex_t lock;
  // Guarded by `lock`: what other threads ask for.
  struct lws_context *context;  // NULL once the service thread is tearing down
  struct queued_message *queue_head, *queue_tail;
  size_t queued_bytes;
  int open;  // sends accepted
  int wake_pending;
  int close_requested, abort_requested;
  int close_code;
  unsigned char close_reason[123];
  size_t close_reason_length;
  int destroyed;  // no more events; the thread frees the client if `detached`
  int detached;

  // Service thread only.
  struct lws *wsi;
  int done, established, close_started;
  int peer_closed, peer_code;
  unsigned char peer_reason[123];
  size_t peer_reason_length;
  int http_status;
  lmk_ws_failure failure;
  char detail[256];
  lws_usec_t last_valid;
  uint64_t hang_up_us;
  lws_sorted_usec_list_t close_deadline;
  unsigned char *rx;
  size_t rx_length, rx_capacity;
  int rx_binary, rx_dropping;

  _Atomic uint64_t received, sent, oversized;
};

static void emit(struct lmk_ws_client *c, const lmk_ws_event *event) {
  pthread_mutex_lock(&c->lock);
  int destroyed = c->destroyed;
  pthread_mutex_unlock(&c->lock);
  // destroy() sets the flag on another thread only while joining, or on this
  // thread: either way no callback can start after destroy() has returned.
  if (!destroyed && c->on_event) c->on_event(c->user, event);
}

static void wake(struct lmk_ws_client *c) {
  // Called with `lock` held. One pending wake-up is enough: the service thread
  // reads every request when it handles it, so the pipe never fills.
  if (c->context && !c->wake_pending) {
    c->wake_pending = 1;
    lws_cancel_service(c->context);
  }
}

static void record_failure(struct lmk_ws_client *c, lmk_ws_failure failure, const char *text,
                           size_t length) {
  if (c->failure != LMK_WS_FAILURE_NONE) return;
  c->failure = failure;
  if (length >= sizeof c->detail) length = sizeof c->detail - 1;
  if (text && length) memcpy(c->detail, text, length);
  c->detail[text ? length : 0] = '\0';
  // lws's strings sometimes end with a newline.
  size_t n = strlen(c->detail);
  while (n && (c->detail[n - 1] == '\n' || c->detail[n - 1] == '\0')) c->detail[--n] = '\0';
}

static lmk_ws_failure classify_connection_error(struct lmk_ws_client *c, const char *text) {
  if (c->http_status == 101) return LMK_WS_FAILURE_HANDSHAKE;
  if (c->http_status) return LMK_WS_FAILURE_UPGRADE_REFUSED;
  if (text && (strstr(text, "SSL") || strstr(text, "ssl") || strstr(text, "tls") ||
               strstr(text, "cert")))
    return LMK_WS_FAILURE_TLS;
  return LMK_WS_FAILURE_CONNECT;
}

static void mark_done(struct lmk_ws_client *c, struct lws *wsi) {
  c->done = 1;
  c->wsi = NULL;
  // The close may have run from a timer inside lws_service, which would then go
  // on to poll until its next timer: make that poll return so the loop sees `done`.
  lws_cancel_service(lws_get_context(wsi));
}

static void close_deadline_passed(lws_sorted_usec_list_t *sul) {
  struct lmk_ws_client *c = lws_container_of(sul, struct lmk_ws_client, close_deadline);
  if (c->wsi) lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void handle_requests(struct lmk_ws_client *c) {
  pthread_mutex_lock(&c->lock);
  c->wake_pending = 0;
  int abort_now = c->abort_requested;
  int close_now = c->close_requested && !c->close_started;
  int has_queue = c->queue_head != NULL;
  pthread_mutex_unlock(&c->lock);
  if (!c->wsi) return;
  if (abort_now || (close_now && !c->established)) {
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    return;
  }
  if (close_now) {
    c->close_started = 1;
    lws_sul_schedule(lws_get_context(c->wsi), 0, &c->close_deadline, close_deadline_passed,
                     (lws_usec_t)c->close_timeout_ms * LWS_US_PER_MS);
  }
  if ((close_now || has_queue) && c->established) lws_callback_on_writable(c->wsi);
}

static int write_next(struct lmk_ws_client *c, struct lws *wsi) {
  pthread_mutex_lock(&c->lock);
  int closing = c->close_requested;
  int code = c->close_code;
  unsigned char reason[sizeof c->close_reason];
  size_t reason_length = c->close_reason_length;
  memcpy(reason, c->close_reason, reason_length);
  struct queued_message *message = closing ? NULL : c->queue_head;
  if (message) {
    c->queue_head = message->next;
    if (!c->queue_head) c->queue_tail = NULL;
    c->queued_bytes -= message->length;
  }
  int more = c->queue_head != NULL;
  pthread_mutex_unlock(&c->lock);
  if (closing) {
    lws_close_reason(wsi, (enum lws_close_status)code, reason, reason_length);
    return -1;  // lws sends the close frame and waits for the peer's
  }
  if (!message) return 0;
  int written = lws_write(wsi, message->bytes + LWS_PRE, message->length,
                          message->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
  size_t length = message->length;
  free(message);
  if (written < 0 || (size_t)written < length) return -1;
  atomic_fetch_add(&c->sent, 1);
  if (more) lws_callback_on_writable(wsi);
  return 0;
}

static void receive(struct lmk_ws_client *c, struct lws *wsi, const void *in, size_t length) {
  if (lws_is_first_fragment(wsi)) {
    c->rx_length = 0;
    c->rx_dropping = 0;
    c->rx_binary = lws_frame_is_binary(wsi);
  }
  if (!c->rx_dropping && length) {
    if (length > c->max_message_bytes - c->rx_length) {
      // Over the cap: drop what we hold and the rest of this message as it streams by.
      c->rx_dropping = 1;
      c->rx_length = 0;
      free(c->rx);
      c->rx = NULL;
      c->rx_capacity = 0;
      atomic_fetch_add(&c->oversized, 1);
    } else {
      size_t needed = c->rx_length + length;
      if (needed > c->rx_capacity) {
        size_t capacity = c->rx_capacity ? c->rx_capacity : 4096;
        while (capacity < needed) capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
        if (capacity > c->max_message_bytes) capacity = c->max_message_bytes;
        unsigned char *grown = realloc(c->rx, capacity);
        if (!grown) {
          c->rx_dropping = 1;
          c->rx_length = 0;
          atomic_fetch_add(&c->oversized, 1);
          return;
        }
        c->rx = grown;
        c->rx_capacity = capacity;
      }
      memcpy(c->rx + c->rx_length, in, length);
      c->rx_length = needed;
    }
  }
  if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi)) return;
  if (!c->rx_dropping) {
    atomic_fetch_add(&c->received, 1);
    lmk_ws_event event = {.kind = c->rx_binary ? LMK_WS_EVENT_BINARY : LMK_WS_EVENT_TEXT,
                          .data = c->rx ? c->rx : (const unsigned char *)"",
                          .length = c->rx_length};
    emit(c, &event);
  }
  c->rx_length = 0;
  c->rx_dropping = 0;
  // Do not keep a large buffer around after a large message.
  if (c->rx_capacity > 65536) {
    free(c->rx);
    c->rx = NULL;
    c->rx_capacity = 0;
  }
}

static int append_headers(struct lmk_ws_client *c, struct lws *wsi, void *in, size_t length) {
  unsigned char **p = (unsigned char **)in;
  unsigned char *end = *p + length;
  char name[256];
  for (size_t i = 0; i < c->header_count; i++) {
    size_t n = strlen(c->header_names[i]);
    if (n + 2 > sizeof name) return -1;
    memcpy(name, c->header_names[i], n);
    name[n] = ':';
    name[n + 1] = '\0';
    size_t value_length = strlen(c->header_values[i]);
    if (value_length > INT32_MAX) return -1;
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                    (const unsigned char *)c->header_values[i],
                                    (int)value_length, p, end))
      return -1;
  }
  return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t length) {
  (void)user;
  struct lws_context *context = lws_get_context(wsi);
  struct lmk_ws_client *c = context ? lws_context_user(context) : NULL;
  if (!c) return 0;
  switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
      return append_headers(c, wsi, in, length);

    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
      // Called for the upgrade reply before lws checks it: the only place the
      // status of a refused upgrade (401, 404, ...) can be read.
      c->http_status = (int)lws_http_client_http_response(wsi);
      return 0;

    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
      const char *text = in ? (const char *)in : "connection failed";
      size_t n = in ? strnlen(text, length ? length : sizeof c->detail) : strlen(text);
      lmk_ws_failure failure = classify_connection_error(c, text);
      // lws words a rejected certificate as "connect SSL err 1: error:00000001:…";
      // OpenSSL's verify result says why.
      SSL *ssl = lws_get_ssl(wsi);
      long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
      char verify_text[200];
      if (failure == LMK_WS_FAILURE_TLS && verify != X509_V_OK) {
        snprintf(verify_text, sizeof verify_text, "certificate rejected: %s",
                 X509_verify_cert_error_string(verify));
        text = verify_text;
        n = strlen(verify_text);
      }
      record_failure(c, failure, text, n);
      mark_done(c, wsi);
      return 0;
    }

    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
      c->established = 1;
      c->last_valid = lws_now_usecs();
      pthread_mutex_lock(&c->lock);
      int closing = c->close_requested || c->abort_requested;
      c->open = !closing;
      pthread_mutex_unlock(&c->lock);
      if (!closing) {
        lmk_ws_event event = {.kind = LMK_WS_EVENT_CONNECTED};
        emit(c, &event);
      }
      handle_requests(c);
      return 0;
    }

    case LWS_CALLBACK_CLIENT_RECEIVE:
      receive(c, wsi, in, length);
      return 0;

    case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
      c->last_valid = lws_now_usecs();
      return 0;

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
      const unsigned char *bytes = in;
      c->peer_closed = 1;
      c->peer_code = 1005;
      c->peer_reason_length = 0;
      if (bytes && length >= 2) {
        c->peer_code = (bytes[0] << 8) | bytes[1];
        size_t n = length - 2;
        if (n > sizeof c->peer_reason) n = sizeof c->peer_reason;
        memcpy(c->peer_reason, bytes + 2, n);
        c->peer_reason_length = n;
      }
      pthread_mutex_lock(&c->lock);
      c->open = 0;
      pthread_mutex_unlock(&c->lock);
      return 0;  // lws echoes the close frame
    }

    case LWS_CALLBACK_CLIENT_WRITEABLE:
      return write_next(c, wsi);

    case LWS_CALLBACK_CLIENT_CLOSED:
      if (c->failure == LMK_WS_FAILURE_NONE && !c->peer_closed && !c->close_started) {
        int stale = c->hang_up_us &&
                    (uint64_t)(lws_now_usecs() - c->last_valid) + 200000 >= c->hang_up_us;
        const char *text = stale ? "no pong within the hang-up time" : "connection lost";
        record_failure(c,
                       stale ? LMK_WS_FAILURE_HEARTBEAT_TIMEOUT : LMK_WS_FAILURE_CONNECTION_LOST,
                       text, strlen(text));
      }
      mark_done(c, wsi);
      return 0;

    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
      handle_requests(c);
      return 0;

    case LWS_CALLBACK_WSI_DESTROY:
      if (wsi == c->wsi) mark_done(c, wsi);  // a path that skipped CLOSED and CONNECTION_ERROR
      return 0;

    default:
      return 0;
  }
}

static void free_client(struct lmk_ws_client *c) {
  struct queued_message *m = c->queue_head;
  while (m) {
    struct queued_message *next = m->next;
    free(m);
    m = next;
  }
  for (size_t i = 0; i < c->header_count; i++) {
    free(c->header_names ? c->header_names[i] : NULL);
    free(c->header_values ? c->header_values[i] : NULL);
  }
  free(c->header_names);
  free(c->header_values);
  free(c->address);
  free(c->path);
  free(c->host_header);
  free(c->proxy);
  free(c->ca_file);
  free(c->rx);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static void finish(struct lmk_ws_client *c) {
  pthread_mutex_lock(&c->lock);
  int requested = c->close_requested || c->abort_requested;
  int code = c->close_code;
  pthread_mutex_unlock(&c->lock);
  lmk_ws_event event = {0};
  if (c->peer_closed) {
    event.kind = LMK_WS_EVENT_CLOSED;
    event.close_code = c->peer_code;
    event.closed_by_peer = !c->close_started;
    event.data = c->peer_reason;
    event.length = c->peer_reason_length;
  } else if (c->close_started || (requested && c->failure != LMK_WS_FAILURE_UPGRADE_REFUSED &&
                                  c->failure != LMK_WS_FAILURE_TLS)) {
    // Closed by us: the peer did not answer the close frame, or we gave up connecting.
    event.kind = LMK_WS_EVENT_CLOSED;
    event.close_code = code;
    event.data = (const unsigned char *)"";
  } else {
    event.kind = LMK_WS_EVENT_FAILED;
    event.failure = c->failure != LMK_WS_FAILURE_NONE ? c->failure : LMK_WS_FAILURE_CONNECTION_LOST;
    event.http_status = c->http_status;
    event.data = (const unsigned char *)c->detail;
    event.length = strlen(c->detail);
  }
  emit(c, &event);
}

static void *service(void *argument) {
  struct lmk_ws_client *c = argument;
  struct lws_context *context = c->context;
  struct lws_client_connect_info info;
  memset(&info, 0, sizeof info);
  info.context = context;
  info.address = c->address;
  info.port = c->port;
  info.path = c->path;
  info.host = c->host_header;
  info.origin = NULL;
  info.protocol = NULL;  // no Sec-WebSocket-Protocol
  info.local_protocol_name = c->protocols[0].name;
  // Never follow redirects: the query (a token) must not go to another origin.
  info.ssl_connection = (c->tls ? LCCSCF_USE_SSL : 0) | LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
  info.retry_and_idle_policy = c->retry.secs_since_valid_hangup ? &c->retry : NULL;
  info.pwsi = &c->wsi;
  if (!lws_client_connect_via_info(&info)) {
    if (c->failure == LMK_WS_FAILURE_NONE) {
      const char *text = "could not start the connection";
      record_failure(c, LMK_WS_FAILURE_CONNECT, text, strlen(text));
    }
    c->done = 1;
    c->wsi = NULL;
  }
  while (!c->done)
    if (lws_service(context, 0) < 0) break;

  pthread_mutex_lock(&c->lock);
  c->open = 0;
  c->context = NULL;  // no more wake-ups from other threads
  pthread_mutex_unlock(&c->lock);
  lws_context_destroy(context);
  finish(c);

  pthread_mutex_lock(&c->lock);
  int detached = c->detached;
  pthread_mutex_unlock(&c->lock);
  if (detached) free_client(c);
  return NULL;
}

static char *copy(const char *text) { return text ? strdup(text) : NULL; }

static void silence_lws_logs(void) {
  // lws logs to stderr by default, and at info level the request path (with a
  // token in its query). The wrapper reports through events instead.
  lws_set_log_level(0, NULL);
}

lmk_ws_client *lmk_ws_start(const lmk_ws_options *o, char *error, size_t error_size) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, silence_lws_logs);
#define FAIL(text)                                                    \
  do {                                                                \
    if (error && error_size) snprintf(error, error_size, "%s", text); \
    if (c) free_client(c);                                            \
    return NULL;                                                      \
  } while (0)
  struct lmk_ws_client *c = NULL;
  if (!o || !o->address || !o->path || !o->host_header) FAIL("missing address or path");
  c = calloc(1, sizeof *c);
  if (!c) FAIL("out of memory");
  pthread_mutex_init(&c->lock, NULL);
  c->address = copy(o->address);
  c->path = copy(o->path);
  c->host_header = copy(o->host_header);
  c->proxy = copy(o->proxy ? o->proxy : "");
  c->ca_file = copy(o->ca_file);
  if (!c->address || !c->path || !c->host_header || !c->proxy || (o->ca_file && !c->ca_file))
    FAIL("out of memory");
  if (o->header_count) {
    c->header_names = calloc(o->header_count, sizeof(char *));
    c->header_values = calloc(o->header_count, sizeof(char *));
    if (!c->header_names || !c->header_values) FAIL("out of memory");
    c->header_count = o->header_count;
    for (size_t i = 0; i < o->header_count; i++) {
      c->header_names[i] = copy(o->header_names[i]);
      c->header_values[i] = copy(o->header_values[i]);
      if (!c->header_names[i] || !c->header_values[i]) FAIL("out of memory");
    }
  }
  c->port = o->port;
  c->tls = o->tls;
  c->close_timeout_ms = o->close_timeout_ms ? o->close_timeout_ms : 2000;
  c->max_message_bytes = o->max_message_bytes ? o->max_message_bytes : 1 << 20;
  c->max_queued_bytes = o->max_queued_bytes ? o->max_queued_bytes : 1 << 20;
  c->on_event = o->on_event;
  c->user = o->user;
  if (o->ping_after_seconds && o->hang_up_after_seconds > o->ping_after_seconds &&
      o->hang_up_after_seconds <= UINT16_MAX) {
    c->retry.secs_since_valid_ping = (uint16_t)o->ping_after_seconds;
    c->retry.secs_since_valid_hangup = (uint16_t)o->hang_up_after_seconds;
    c->hang_up_us = (uint64_t)o->hang_up_after_seconds * LWS_US_PER_SEC;
  }
  c->protocols[0].name = "lmk-ws-client";
  c->protocols[0].callback = callback;
  c->protocols[0].rx_buffer_size = 4096;

  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = c->protocols;
  info.user = c;
  info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
  // Only wss needs the client SSL_CTX (and the CA store parsed into it: ~1 MB).
  if (c->tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  // The CA file below is the whole store: lws's own OS-store load would parse
  // the default bundle a second time, and would add to a caller's CA file.
  info.options |= LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
  // One connection: a small fd table, searched rather than indexed by fd number.
  info.fd_limit_per_thread = 8;
  info.timeout_secs = o->connect_timeout_seconds ? o->connect_timeout_seconds : 10;
  info.connect_timeout_secs = info.timeout_secs;
  // An empty address makes lws_set_proxy fail quietly, so lws does not read
  // http_proxy itself: the caller decided (https_proxy, no_proxy).
  info.http_proxy_address = c->proxy;
  // Without a CA file lws would also load "../share" relative to the working
  // directory (LWS_OPENSSL_CLIENT_CERTS); name OpenSSL's default bundle instead.
  const char *ca = c->ca_file;
  if (!ca) ca = getenv(X509_get_default_cert_file_env());
  if (!ca || !*ca) ca = X509_get_default_cert_file();
  info.client_ssl_ca_filepath = ca;
  if (c->retry.secs_since_valid_hangup) info.retry_and_idle_policy = &c->retry;

  c->context = lws_create_context(&info);
  if (!c->context) FAIL("lws_create_context failed");
  if (pthread_create(&c->thread, NULL, service, c) != 0) {
    lws_context_destroy(c->context);
    c->context = NULL;
    FAIL("could not start the WebSocket thread");
  }
  pthread_setname_np(c->thread, "websocket");
  return c;
#undef FAIL
}

int lmk_ws_send(lmk_ws_client *c, const void *data, size_t length, int binary) {
  if (length > SIZE_MAX - LWS_PRE - sizeof(struct queued_message)) return -2;
  pthread_mutex_lock(&c->lock);
  int open = c->open && !c->close_requested && !c->abort_requested;
  int full = length > c->max_queued_bytes - c->queued_bytes;
  pthread_mutex_unlock(&c->lock);
  if (!open) return -1;
  if (full) return -2;
  struct queued_message *m = malloc(sizeof *m + LWS_PRE + length);
  if (!m) return -2;
  m->next = NULL;
  m->length = length;
  m->binary = binary;
  if (length) memcpy(m->bytes + LWS_PRE, data, length);
  pthread_mutex_lock(&c->lock);
  int result = 0;
  if (!c->open || c->close_requested || c->abort_requested) {
    result = -1;
  } else if (length > c->max_queued_bytes - c->queued_bytes) {
    result = -2;
  } else {
    if (c->queue_tail)
      c->queue_tail->next = m;
    else
      c->queue_head = m;
    c->queue_tail = m;
    c->queued_bytes += length;
    m = NULL;
    wake(c);
  }
  pthread_mutex_unlock(&c->lock);
  free(m);
  return result;
}

void lmk_ws_close(lmk_ws_client *c, int code, const char *reason, size_t length) {
  pthread_mutex_lock(&c->lock);
  if (!c->close_requested) {
    c->close_requested = 1;
    c->open = 0;
    c->close_code = code;
    if (length > sizeof c->close_reason) length = sizeof c->close_reason;
    if (reason && length) memcpy(c->close_reason, reason, length);
    c->close_reason_length = reason ? length : 0;
    wake(c);
  }
  pthread_mutex_unlock(&c->lock);
}

void lmk_ws_get_stats(lmk_ws_client *c, lmk_ws_stats *stats) {
  stats->messages_received = atomic_load(&c->received);
  stats->messages_sent = atomic_load(&c->sent);
  stats->oversized_dropped = atomic_load(&c->oversized);
  pthread_mutex_lock(&c->lock);
  stats->queued_bytes = c->queued_bytes;
  pthread_mutex_unlock(&c->lock);
}

void lmk_ws_destroy(lmk_ws_client *c) {
  if (!c) return;
  int on_service_thread = pthread_equal(pthread_self(), c->thread);
  pthread_mutex_lock(&c->lock);
  c->destroyed = 1;
  c->abort_requested = 1;
  c->open = 0;
  c->detached = on_service_thread;
  wake(c);
  pthread_mutex_unlock(&c->lock);
  if (on_service_thread) {
    pthread_detach(c->thread);
    return;  // the thread frees the client when its loop ends
  }
  pthread_join(c->thread, NULL);
  free_client(c);
}
