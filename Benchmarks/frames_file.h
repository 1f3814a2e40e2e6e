/* Reads the message files Benchmarks/messages.py writes: a little-endian u32
 * message count, then per message a u32 frame count and per frame a u32
 * length and the bytes. The whole file is mapped; frames point into it. */
#ifndef FRAMES_FILE_H
#define FRAMES_FILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t frames;
  const uint8_t *const *data; /* frames pointers */
  const uint32_t *sizes;      /* frames lengths */
} bench_message;

typedef struct {
  uint32_t count;
  bench_message *messages;
} bench_messages;

/* Loads `path`; returns 0, or -1 with a message on stderr. */
int bench_messages_load(const char *path, bench_messages *out);

#endif
