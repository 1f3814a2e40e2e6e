/* The reference receivers of the pipeline benchmark.
 *
 * Built plain (raw_receiver): a libzmq SUB socket that receives every frame
 * of every message and does nothing else — the physical limit.
 * Built with -DBENCH_HMAC (hmac_receiver, needs OpenSSL's libcrypto): the
 * same, plus the one piece of work no verifying receiver can skip, the
 * hmac-sha256 of header, parent, metadata and content compared with the
 * signature frame — the floor for any bridge that checks signatures.
 *
 * Timed from the first message to the last, as `lmk-bench pipeline`. Prints
 * one JSON line: {"received": N, "bad": B, "seconds": S, "rate": R}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#ifdef BENCH_HMAC
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

enum { max_frames = 16 };

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

#ifdef BENCH_HMAC
/* Whether frames[delimiter+1] is the lowercase-hex HMAC of the next four. */
static int verified(HMAC_CTX *hmac, const unsigned char *key, int key_length, zmq_msg_t *frames, int count) {
  int delimiter = -1;
  for (int i = 0; i < count && delimiter < 0; i++)
    if (zmq_msg_size(&frames[i]) == 9 && memcmp(zmq_msg_data(&frames[i]), "<IDS|MSG>", 9) == 0) delimiter = i;
  if (delimiter < 0 || count < delimiter + 6) return 0;
  HMAC_Init_ex(hmac, key, key_length, EVP_sha256(), NULL);
  for (int i = delimiter + 2; i < delimiter + 6; i++)
    HMAC_Update(hmac, zmq_msg_data(&frames[i]), zmq_msg_size(&frames[i]));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC_Final(hmac, mac, &length);
  if (zmq_msg_size(&frames[delimiter + 1]) != 2 * length) return 0;
  const char *signature = zmq_msg_data(&frames[delimiter + 1]);
  static const char digits[] = "0123456789abcdef";
  unsigned char difference = 0;
  for (unsigned int i = 0; i < length; i++) {
    difference |= signature[2 * i] ^ digits[mac[i] >> 4];
    difference |= signature[2 * i + 1] ^ digits[mac[i] & 15];
  }
  return difference == 0;
}
#endif

int main(int argc, char **argv) {
  const char *endpoint = NULL, *key_file = NULL;
  long count = 0;
  int idle_ms = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--connect")) endpoint = argv[i + 1];
    else if (!strcmp(argv[i], "--count")) count = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--idle-timeout-ms")) idle_ms = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--key-file")) key_file = argv[i + 1];
    else { fprintf(stderr, "receiver: unknown option %s\n", argv[i]); return 2; }
  }
  if (!endpoint || count <= 0) {
    fprintf(stderr, "usage: receiver --connect EP --count N [--idle-timeout-ms MS] [--key-file F]\n");
    return 2;
  }
#ifdef BENCH_HMAC
  unsigned char key[256];
  int key_length = 0;
  FILE *kf = key_file ? fopen(key_file, "rb") : NULL;
  if (!kf) { fprintf(stderr, "hmac_receiver: --key-file with the HMAC key is required\n"); return 2; }
  key_length = (int)fread(key, 1, sizeof key, kf);
  fclose(kf);
  HMAC_CTX *hmac = HMAC_CTX_new();
#else
  (void)key_file;
#endif
  void *context = zmq_ctx_new();
  void *sub = zmq_socket(context, ZMQ_SUB);
  int zero = 0;
  zmq_setsockopt(sub, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
  zmq_setsockopt(sub, ZMQ_RCVTIMEO, &idle_ms, sizeof idle_ms);
  if (zmq_connect(sub, endpoint) != 0) {
    fprintf(stderr, "receiver: connect: %s\n", zmq_strerror(zmq_errno()));
    return 1;
  }
  zmq_msg_t frames[max_frames];
  for (int i = 0; i < max_frames; i++) zmq_msg_init(&frames[i]);
  long received = 0, bad = 0;
  double first = 0, last = 0;
  while (received < count) {
    int more = 1, ok = 1, held = 0;
    while (more) {
      zmq_msg_t *frame = &frames[held < max_frames ? held : max_frames - 1];
      if (zmq_msg_recv(frame, sub, 0) < 0) { ok = 0; break; }
      if (held < max_frames) held++;
      more = zmq_msg_more(frame);
    }
    if (!ok) break; /* nothing for idle_ms: the rest was lost */
#ifdef BENCH_HMAC
    if (!verified(hmac, key, key_length, frames, held)) bad++;
#endif
    if (received++ == 0) first = now_s();
    last = now_s();
  }
  for (int i = 0; i < max_frames; i++) zmq_msg_close(&frames[i]);
  double seconds = last - first;
  printf("{\"received\": %ld, \"bad\": %ld, \"seconds\": %.6f, \"rate\": %.1f}\n", received, bad, seconds,
         seconds > 0 ? received / seconds : 0);
  zmq_close(sub);
  zmq_ctx_term(context);
  return 0;
}
