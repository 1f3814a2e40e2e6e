#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Runs in the child between fork and exec: async-signal-safe calls only.
static void child_exec(char *const argv[], char *const envp[], pid_t parent, int report_fd) {
  // The raw system call, because glibc's sigaction refuses its internal
  // signals (32, 33), which a runtime may have left ignored. An all-zero
  // kernel sigaction is SIG_DFL, no flags, empty mask on every architecture.
  unsigned long default_action[4] = {0, 0, 0, 0};
  for (int sig = 1; sig < NSIG; sig++) {
    syscall(SYS_rt_sigaction, sig, default_action, NULL, NSIG / 8);  // EINVAL for SIGKILL, SIGSTOP
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  if (getppid() != parent) {
    _exit(127);  // the bridge died before PDEATHSIG was armed
  }
#ifdef SYS_close_range
  syscall(SYS_close_range, 3U, UINT_MAX, CLOSE_RANGE_CLOEXEC);  // best effort
#endif
  execvpe(argv[0], argv, envp);
  int err = errno;
  ssize_t ignored = write(report_fd, &err, sizeof err);
  (void)ignored;
  _exit(127);
}

pid_t lmk_spawn(char *const argv[], char *const envp[], int *error_out) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    *error_out = errno;
    return -1;
  }
  // Block everything across fork so no bridge handler runs in the child
  // before its dispositions are reset; the parent restores its mask at once.
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    child_exec(argv, envp, parent, report[1]);
  }
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    *error_out = fork_errno;
    return -1;
  }
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == (ssize_t)sizeof exec_errno) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    *error_out = exec_errno;
    return -1;
  }
  return pid;
}

int lmk_wait_end(pid_t pid, lmk_child_end *end) {
  siginfo_t info;
  for (;;) {
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == 0) {
      break;
    }
    if (errno != EINTR) {
      return -1;
    }
  }
  end->signaled = info.si_code == CLD_EXITED ? 0 : 1;
  end->value = info.si_status;
  return 0;
}

void lmk_reap(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}
