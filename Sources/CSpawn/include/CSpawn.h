#ifndef CSPAWN_H
#define CSPAWN_H
// Process and signal primitives for launcher mode that must not be written in
// Swift: the code between fork and exec, and a signal handler.
#include <sys/types.h>

/// Starts `argv[0]` (searched on PATH like execvp) with `envp` as a child that
/// inherits no signal state: every disposition is reset to SIG_DFL and the mask
/// is cleared before exec, because a blocked or ignored signal survives execve
/// and silently breaks kernel interrupts. The child gets PR_SET_PDEATHSIG
/// (SIGKILL) so it dies with the calling *thread*, stays in the caller's process
/// group, and keeps only descriptors 0-2 open across exec.
/// Returns the child's pid, or -1 with `*error_out` = errno of the failed step
/// (fork, or the exec itself: a missing kernel binary is reported here).
pid_t lmk_spawn(char *const argv[], char *const envp[], int *error_out);

/// How `lmk_spawn_with` sets up the child besides resetting its signal state.
typedef struct {
  int stdin_fd;              // dup2'ed onto 0 before exec; -1: inherit
  int stdout_fd;             // dup2'ed onto 1 before exec; -1: inherit
  int ignore_group_signals;  // 1: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2, SIGPIPE ignored
  int death_signal;          // PR_SET_PDEATHSIG signal; 0: none
} lmk_spawn_options;

/// `lmk_spawn` with options, and with `path` (absolute, not searched) as the
/// program when it is not NULL: the supervisor starts its monitor process as
/// `/proc/self/exe` with group signals ignored, its stdin and stdout on pipes.
pid_t lmk_spawn_with(const char *path, char *const argv[], char *const envp[],
                     const lmk_spawn_options *options, int *error_out);

/// How a child ended, decoded from its wait status.
typedef struct {
  int signaled;  // 1: killed by signal `value`; 0: exited with status `value`
  int value;
} lmk_child_end;

/// Blocks until `pid` has ended (retrying on EINTR) *without reaping it*, so
/// the pid cannot be reused while the caller still may signal it.
/// Returns 0, or -1 with errno.
int lmk_wait_end(pid_t pid, lmk_child_end *end);

/// Reaps a child that `lmk_wait_end` reported as ended.
void lmk_reap(pid_t pid);

/// Installs a handler for each of `signals` that writes the signal number as
/// one byte to a new pipe (the self-pipe trick), so a Swift thread can read
/// signal events without blocking or ignoring the signals (either would be
/// inherited by the kernel). A later call takes over the signals it names.
/// Returns the pipe's read end, or -1 with errno (EINVAL for SIGKILL, SIGSTOP
/// or a number out of range).
int lmk_signals_install(const int *signals, int count);

#endif
