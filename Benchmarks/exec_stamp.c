/* exec_stamp FILE PROGRAM [ARG...]: appends CLOCK_MONOTONIC in nanoseconds (one line) to FILE,
 * then execs PROGRAM. Benchmarks/run.py part e puts one in front of `jupyter-lmk run` and one in
 * front of the kernel it spawns: the difference is the bridge's own time from its exec to the
 * kernel's (the monotonic clock is one for all processes of the machine). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: exec_stamp FILE PROGRAM [ARG...]\n");
    return 2;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  char line[32];
  int length = snprintf(line, sizeof line, "%lld\n",
                        (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || write(fd, line, (size_t)length) != length) {
    perror("exec_stamp");
    return 1;
  }
  close(fd);
  execvp(argv[2], argv + 2);
  perror("exec_stamp: exec");
  return 127;
}
