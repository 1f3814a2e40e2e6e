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

// The signals a monitor child ignores: Jupyter signals the whole process
// group, and those are the supervisor's to handle (docs/BEHAVIOUR.md, "Launcher mode").
static const int group_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};

// Runs in the child between fork and exec: async-signal-safe calls only.
static void child_exec(const char *path, char *const argv[], char *const envp[],
                       const lmk_spawn_options *options, pid_t parent, int report_fd) {
  // The raw system call, because glibc's sigaction refuses its internal
  // signals (32, 33), which a runtime may have left ignored. An all-zero
  // kernel sigaction is SIG_DFL, no flags, empty mask on every architecture.
  unsigned long default_action[4] = {0, 0, 0, 0};
  for (int sig = 1; sig < NSIG; sig++) {
    syscall(SYS_rt_sigaction, sig, default_action, NULL, NSIG / 8);  // EINVAL for SIGKILL, SIGSTOP
  }
  if (options->ignore_group_signals) {
    // An ignored disposition survives exec: no window in which a group
    // signal could kill the new program before it runs.
    unsigned long ignore_action[4] = {(unsigned long)SIG_IGN, 0, 0, 0};
    for (size_t i = 0; i < sizeof group_signals / sizeof group_signals[0]; i++) {
      syscall(SYS_rt_sigaction, group_signals[i], ignore_action, NULL, NSIG / 8);
    }
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);
#ifdef __linux__
  if (options->death_signal > 0) {
    prctl(PR_SET_PDEATHSIG, options->death_signal);
  }
#endif
  if ((options->stdin_fd >= 0 && dup2(options->stdin_fd, 0) < 0) ||
      (options->stdout_fd >= 0 && dup2(options->stdout_fd, 1) < 0)) {
    int err = errno;
    ssize_t ignored = write(report_fd, &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  if (getppid() != parent) {
    _exit(127);  // the bridge died before PDEATHSIG was armed
  }
#ifdef SYS_close_range
  syscall(SYS_close_range, 3U, UINT_MAX, CLOSE_RANGE_CLOEXEC);  // best effort
#endif
  if (path != NULL) {
    execve(path, argv, envp);
  } else {
    execvpe(argv[0], argv, envp);
  }
  int err = errno;
  ssize_t ignored = write(report_fd, &err, sizeof err);
  (void)ignored;
  _exit(127);
}

pid_t lmk_spawn(char *const argv[], char *const envp[], int *error_out) {
  lmk_spawn_options options = {.stdin_fd = -1, .stdout_fd = -1, .ignore_group_signals = 0,
                               .death_signal = SIGKILL};
  return lmk_spawn_with(NULL, argv, envp, &options, error_out);
}

pid_t lmk_spawn_with(const char *path, char *const argv[], char *const envp[],
                     const lmk_spawn_options *options, int *error_out) {
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
    child_exec(path, argv, envp, options, parent, report[1]);
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
