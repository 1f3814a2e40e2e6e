#include "frames_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_u32(const uint8_t *base, size_t size, size_t *at, uint32_t *value) {
  if (*at + 4 > size) return -1;
  memcpy(value, base + *at, 4); /* the files are little-endian, as the machine */
  *at += 4;
  return 0;
}

int bench_messages_load(const char *path, bench_messages *out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) { perror(path); return -1; }
  struct stat st;
  if (fstat(fd, &st) != 0) { perror(path); close(fd); return -1; }
  size_t size = (size_t)st.st_size;
  const uint8_t *base = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  close(fd);
  if (base == MAP_FAILED) { perror("mmap"); return -1; }
  size_t at = 0;
  uint32_t count;
  if (read_u32(base, size, &at, &count) != 0) goto truncated;
  out->count = count;
  out->messages = calloc(count, sizeof(bench_message));
  if (!out->messages) { perror("calloc"); return -1; }
  for (uint32_t i = 0; i < count; i++) {
    uint32_t frames;
    if (read_u32(base, size, &at, &frames) != 0 || frames == 0 || frames > 64) goto truncated;
    const uint8_t **data = calloc(frames, sizeof(uint8_t *));
    uint32_t *sizes = calloc(frames, sizeof(uint32_t));
    if (!data || !sizes) { perror("calloc"); return -1; }
    for (uint32_t f = 0; f < frames; f++) {
      if (read_u32(base, size, &at, &sizes[f]) != 0 || at + sizes[f] > size) goto truncated;
      data[f] = base + at;
      at += sizes[f];
    }
    out->messages[i] = (bench_message){frames, data, sizes};
  }
  return 0;
truncated:
  fprintf(stderr, "%s: truncated or malformed message file\n", path);
  return -1;
}
