#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

// Write end of the pipe each signal is reported to (0: none).
static volatile sig_atomic_t report_fd[NSIG];

static void on_signal(int sig) {
  int saved = errno;
  unsigned char byte = (unsigned char)sig;
  ssize_t ignored = write(report_fd[sig], &byte, 1);  // full pipe: drop
  (void)ignored;
  errno = saved;
}

int lmk_signals_install(const int *signals, int count) {
  for (int i = 0; i < count; i++) {
    if (signals[i] <= 0 || signals[i] >= NSIG || signals[i] == SIGKILL || signals[i] == SIGSTOP) {
      errno = EINVAL;
      return -1;
    }
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return -1;
  }
  fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < count; i++) {
    report_fd[signals[i]] = fds[1];
    if (sigaction(signals[i], &action, NULL) != 0) {
      return -1;  // not expected after the checks above; the pipe stays open
    }
  }
  return fds[0];
}
