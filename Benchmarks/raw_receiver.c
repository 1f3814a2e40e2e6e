/* The physical limit of the pipeline benchmark: a libzmq SUB socket that
 * receives every frame of every message and does nothing else. Timed from
 * the first message to the last, as `lmk-bench pipeline`. Prints one JSON
 * line: {"received": N, "seconds": S, "rate": R}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  const char *endpoint = NULL;
  long count = 0;
  int idle_ms = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--connect")) endpoint = argv[i + 1];
    else if (!strcmp(argv[i], "--count")) count = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--idle-timeout-ms")) idle_ms = atoi(argv[i + 1]);
    else { fprintf(stderr, "raw_receiver: unknown option %s\n", argv[i]); return 2; }
  }
  if (!endpoint || count <= 0) {
    fprintf(stderr, "usage: raw_receiver --connect EP --count N [--idle-timeout-ms MS]\n");
    return 2;
  }
  void *context = zmq_ctx_new();
  void *sub = zmq_socket(context, ZMQ_SUB);
  int zero = 0;
  zmq_setsockopt(sub, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
  zmq_setsockopt(sub, ZMQ_RCVTIMEO, &idle_ms, sizeof idle_ms);
  if (zmq_connect(sub, endpoint) != 0) {
    fprintf(stderr, "raw_receiver: connect: %s\n", zmq_strerror(zmq_errno()));
    return 1;
  }
  zmq_msg_t frame;
  zmq_msg_init(&frame);
  long received = 0;
  double first = 0, last = 0;
  while (received < count) {
    int more = 1, ok = 1;
    while (more) {
      if (zmq_msg_recv(&frame, sub, 0) < 0) { ok = 0; break; }
      more = zmq_msg_more(&frame);
    }
    if (!ok) break; /* nothing for idle_ms: the rest was lost */
    if (received++ == 0) first = now_s();
    last = now_s();
  }
  zmq_msg_close(&frame);
  double seconds = last - first;
  printf("{\"received\": %ld, \"seconds\": %.6f, \"rate\": %.1f}\n", received, seconds,
         seconds > 0 ? received / seconds : 0);
  zmq_close(sub);
  zmq_ctx_term(context);
  return 0;
}
