// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Starting the measured command: clone(CLONE_VM | CLONE_VFORK), posix_spawn's way, with the
// per-run setup between clone and exec (process group, cgroup, CPU affinity, nice,
// personality, output fds, rlimits).
#ifndef PERFCHECK_EXEC_LAUNCHER_COMMAND_SPAWN_H
#define PERFCHECK_EXEC_LAUNCHER_COMMAND_SPAWN_H

#include <sched.h>
#include <signal.h>
#include <sys/types.h>

#include "launcher_protocol.h"

/// What the command gets back of the launcher's own settings from before it changed them.
struct child_settings {
  sigset_t startup_mask;             ///< the signal mask perfcheck gave the launcher
  int startup_policy;                ///< perfcheck's scheduling policy (before SCHED_BATCH)
  struct sched_param startup_param;  ///< and its parameters
  long startup_timer_slack;          ///< the timer slack in ns, before 1 ms; <= 0: unknown
  const int* reset_signals;          ///< signals with launcher handlers, reset to SIG_DFL
  int reset_count;
};

/// The outcome of one spawn.
struct spawn_result {
  pid_t pid;  ///< the command (its own process group); -1 when clone failed
  int error;  ///< 0, or the errno of the failed step
  int step;   ///< PERFCHECK_STEP_* that failed, with error
};

/// Starts PROGRAM with `argv` and `envp` (NULL: the launcher's environment) under the request's settings;
/// out_fd/err_fd (-1: inherit) become stdout and stderr, cgroup_fd (-1: none) gets "0". Returns
/// once the child has exec'd or failed (CLONE_VFORK); a failed child is already gone as a
/// process but still to be reaped.
struct spawn_result spawn_command(const struct child_settings* settings, const char* program,
                                  char** argv, char** envp, const struct perfcheck_launcher_run* request,
                                  int out_fd, int err_fd, int cgroup_fd);

#endif  // PERFCHECK_EXEC_LAUNCHER_COMMAND_SPAWN_H
