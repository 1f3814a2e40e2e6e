#ifndef CWEBSOCKETS_H
#define CWEBSOCKETS_H
// One libwebsockets client connection with its own context and service thread,
// behind a small typed API: Swift never sees lws types, callbacks or LWS_PRE.
//
// Threading: lmk_ws_send, lmk_ws_close and lmk_ws_stats may be called from any
// thread. Events are delivered on the client's own service thread, one at a
// time; no event is delivered after lmk_ws_destroy returns.
#include <stddef.h>
#include <stdint.h>

typedef struct lmk_ws_client lmk_ws_client;

typedef enum {
  LMK_WS_EVENT_CONNECTED = 1,
  LMK_WS_EVENT_TEXT = 2,
  LMK_WS_EVENT_BINARY = 3,
  /// Terminal: a close handshake (either side) or a local close before connecting.
  LMK_WS_EVENT_CLOSED = 4,
  /// Terminal: the connection could not be made, or it was lost without a close.
  LMK_WS_EVENT_FAILED = 5,
} lmk_ws_event_kind;

typedef enum {
  LMK_WS_FAILURE_NONE = 0,
  /// DNS, TCP, proxy or timeout before an HTTP reply to the upgrade.
  LMK_WS_FAILURE_CONNECT = 1,
  /// TLS handshake or certificate verification.
  LMK_WS_FAILURE_TLS = 2,
  /// The server answered the upgrade with an HTTP status other than 101.
  LMK_WS_FAILURE_UPGRADE_REFUSED = 3,
  /// A 101 reply that is not a valid WebSocket upgrade.
  LMK_WS_FAILURE_HANDSHAKE = 4,
  /// Open, then gone without a close handshake (reset, EOF, protocol error).
  LMK_WS_FAILURE_CONNECTION_LOST = 5,
  /// Open, then no pong within the hang-up time.
  LMK_WS_FAILURE_HEARTBEAT_TIMEOUT = 6,
} lmk_ws_failure;

typedef struct {
  lmk_ws_event_kind kind;
  /// TEXT/BINARY: the whole message. CLOSED: the close reason. FAILED: lws's words.
  /// Valid only during the callback.
  const unsigned char *data;
  size_t length;
  /// CLOSED: the close code (1005 when the close frame had none).
  int close_code;
  /// CLOSED: 1 if the peer sent the first close frame.
  int closed_by_peer;
  /// FAILED: the HTTP status of the upgrade reply, 0 if none arrived.
  int http_status;
  lmk_ws_failure failure;
} lmk_ws_event;

typedef void (*lmk_ws_event_fn)(void *user, const lmk_ws_event *event);

typedef struct {
  const char *address;  // host name or IP literal, no brackets
  int port;
  const char *path;  // "/path?query"
  const char *host_header;  // "host[:port]"
  int tls;
  const char *ca_file;  // PEM CAs to trust instead of the system store; NULL: the system store
  const char *proxy;  // "[user:pass@]host:port", or NULL for none (lws's own getenv is defeated)
  const char *const *header_names;  // without the colon
  const char *const *header_values;
  size_t header_count;
  unsigned ping_after_seconds;  // 0: no heartbeat
  unsigned hang_up_after_seconds;  // > ping_after_seconds
  unsigned connect_timeout_seconds;
  unsigned close_timeout_ms;  // after lmk_ws_close, kill the socket if the peer has not acked
  size_t max_message_bytes;  // larger messages are dropped and counted
  size_t max_queued_bytes;  // sends beyond this are refused
  lmk_ws_event_fn on_event;
  void *user;
} lmk_ws_options;

typedef struct {
  uint64_t messages_received;
  uint64_t messages_sent;
  uint64_t oversized_dropped;
  uint64_t queued_bytes;
} lmk_ws_stats;

/// Creates the context and starts the service thread, which connects.
/// NULL with a message in `error` if the context or the thread could not be made.
lmk_ws_client *lmk_ws_start(const lmk_ws_options *options, char *error, size_t error_size);

/// Queues a message. 0: queued; -1: not open (not yet connected or over); -2: queue full.
int lmk_ws_send(lmk_ws_client *client, const void *data, size_t length, int binary);

/// Starts a close handshake with `code` (1000-4999) and a reason of at most 123 bytes;
/// before the connection is open, abandons it. Later calls do nothing.
void lmk_ws_close(lmk_ws_client *client, int code, const char *reason, size_t length);

void lmk_ws_get_stats(lmk_ws_client *client, lmk_ws_stats *stats);

/// Aborts the connection if still running, stops callbacks and frees everything.
/// Joins the service thread, unless called on it (from a callback): then the thread
/// frees the client as it exits.
void lmk_ws_destroy(lmk_ws_client *client);

#endif
