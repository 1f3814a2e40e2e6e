#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int signal_pipe[2] = {-1, -1};
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig) {
  int saved = errno;
  unsigned char byte = (unsigned char)sig;
  ssize_t ignored = write(signal_pipe[1], &byte, 1);  // full pipe: drop
  (void)ignored;
  errno = saved;
}

int lmk_signals_install(const int *signals, int count) {
  pthread_mutex_lock(&install_lock);
  int result = -1;
  if (signal_pipe[0] < 0) {
    if (pipe2(signal_pipe, O_CLOEXEC) != 0) {
      goto out;
    }
    int flags = fcntl(signal_pipe[1], F_GETFL);
    fcntl(signal_pipe[1], F_SETFL, flags | O_NONBLOCK);
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < count; i++) {
    if (sigaction(signals[i], &action, NULL) != 0) {
      goto out;
    }
  }
  result = signal_pipe[0];
out:
  pthread_mutex_unlock(&install_lock);
  return result;
}
