/* The IOPub stand-in of the benchmarks: binds an XPUB socket, waits for the
 * first subscription, then replays pre-signed messages from a file
 * (Benchmarks/messages.py), as fast as it can or paced at a given rate.
 * With --hb it also echoes heartbeats (ROUTER proxy, as ipykernel does), so
 * `jupyter-lmk attach` sees a live kernel. Prints one JSON line:
 * {"sent": N, "seconds": S, "rate": R}.
 *
 * --body M replays a flood cell: the file's first two messages (busy,
 * execute_input), its first M stream messages after them, and its last two
 * (error, idle). Without it, every message of the file is sent, or the
 * first K with --limit K. --hold-ms keeps the heartbeat answering after the
 * last message (the JSON line, with the wall-clock time of the last send, is
 * printed first). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "frames_file.h"

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *heartbeat_echo(void *router) {
  zmq_proxy(router, router, NULL); /* returns only when the context ends */
  return NULL;
}

static void die(const char *what) {
  fprintf(stderr, "publisher: %s: %s\n", what, zmq_strerror(zmq_errno()));
  exit(1);
}

static void send_message(void *socket, const bench_message *m) {
  for (uint32_t f = 0; f < m->frames; f++) {
    int flags = f + 1 < m->frames ? ZMQ_SNDMORE : 0;
    while (zmq_send(socket, m->data[f], m->sizes[f], flags) < 0) {
      if (zmq_errno() != EINTR) die("zmq_send");
    }
  }
}

int main(int argc, char **argv) {
  const char *iopub = NULL, *hb = NULL, *file = NULL;
  double rate = 0;
  int sndhwm = 1000, wait_ms = 30000, linger_ms = 10000, hold_ms = 0;
  long body = -1, limit = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--iopub")) iopub = argv[i + 1];
    else if (!strcmp(argv[i], "--hb")) hb = argv[i + 1];
    else if (!strcmp(argv[i], "--file")) file = argv[i + 1];
    else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--sndhwm")) sndhwm = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--body")) body = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--limit")) limit = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--wait-ms")) wait_ms = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--linger-ms")) linger_ms = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--hold-ms")) hold_ms = atoi(argv[i + 1]);
    else { fprintf(stderr, "publisher: unknown option %s\n", argv[i]); return 2; }
  }
  if (!iopub || !file) {
    fprintf(stderr, "usage: publisher --iopub EP --file F [--hb EP] [--rate R] [--sndhwm H] "
                    "[--body M | --limit K] [--wait-ms MS] [--linger-ms MS] [--hold-ms MS]\n");
    return 2;
  }
  bench_messages messages;
  if (bench_messages_load(file, &messages) != 0) return 1;
  /* The order of sends: indexes into the file. */
  uint32_t total = messages.count;
  uint32_t *order = malloc(sizeof(uint32_t) * (total ? total : 1));
  uint32_t n = 0;
  if (body >= 0) {
    if (total < 4 || (uint64_t)body > total - 4) {
      fprintf(stderr, "publisher: --body %ld needs a file of at least %ld messages\n", body, body + 4);
      return 2;
    }
    order[n++] = 0;
    order[n++] = 1;
    for (long i = 0; i < body; i++) order[n++] = (uint32_t)(2 + i);
    order[n++] = total - 2;
    order[n++] = total - 1;
  } else {
    uint32_t last = limit >= 0 && (uint64_t)limit < total ? (uint32_t)limit : total;
    for (uint32_t i = 0; i < last; i++) order[n++] = i;
  }

  if (hb) {
    void *hb_context = zmq_ctx_new();
    void *router = zmq_socket(hb_context, ZMQ_ROUTER);
    if (zmq_bind(router, hb) != 0) die("bind heartbeat");
    pthread_t thread;
    pthread_create(&thread, NULL, heartbeat_echo, router);
    pthread_detach(thread); /* it dies with the process */
  }

  void *context = zmq_ctx_new();
  void *pub = zmq_socket(context, ZMQ_XPUB);
  zmq_setsockopt(pub, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm);
  zmq_setsockopt(pub, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
  zmq_setsockopt(pub, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
  if (zmq_bind(pub, iopub) != 0) die("bind iopub");
  char subscription[256];
  if (zmq_recv(pub, subscription, sizeof subscription, 0) < 0) die("waiting for a subscriber");

  uint64_t start = now_ns();
  double interval_ns = rate > 0 ? 1e9 / rate : 0;
  for (uint32_t i = 0; i < n; i++) {
    if (interval_ns > 0) {
      uint64_t due = start + (uint64_t)(i * interval_ns);
      uint64_t t = now_ns();
      /* Sleep only when well ahead; short gaps are spun through in bursts. */
      if (due > t + 100000) {
        struct timespec ts = {(time_t)((due - t) / 1000000000ull), (long)((due - t) % 1000000000ull)};
        nanosleep(&ts, NULL);
      }
      while (now_ns() < due) {}
    }
    send_message(pub, &messages.messages[order[i]]);
  }
  double seconds = (double)(now_ns() - start) / 1e9;
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  printf("{\"sent\": %u, \"seconds\": %.6f, \"rate\": %.1f, \"last_unix\": %.6f}\n", n, seconds,
         seconds > 0 ? n / seconds : 0, wall.tv_sec + wall.tv_nsec / 1e9);
  fflush(stdout);
  if (hold_ms > 0) { /* keep answering heartbeats, so the kernel does not look dead */
    struct timespec hold = {hold_ms / 1000, (long)(hold_ms % 1000) * 1000000L};
    nanosleep(&hold, NULL);
  }
  zmq_close(pub);
  zmq_ctx_term(context); /* delivers what is queued, up to --linger-ms */
  return 0;
}
