// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "command_spawn.h"

#include <errno.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

extern char** environ;

struct child_args {
  const struct child_settings* settings;
  const char* program;
  char** argv;
  char** envp;
  int out_fd, err_fd, cgroup_fd;
  const struct perfcheck_launcher_run* request;
  volatile int error;
  volatile int step;
};

static int set_limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit current;
  if (getrlimit(resource, &current) != 0) return -1;
  // Never above the inherited hard limit: only a privileged process could raise it.
  if (current.rlim_max != RLIM_INFINITY && hard > current.rlim_max) hard = current.rlim_max;
  if (soft > hard) soft = hard;
  struct rlimit wanted = {soft, hard};
  return setrlimit(resource, &wanted);
}

// The request's rlimits; -1 when one cannot be set.
static int set_limits(const struct perfcheck_launcher_run* request) {
  if (request->file_size_bytes > 0 && set_limit(RLIMIT_FSIZE, (rlim_t)request->file_size_bytes,
                                                (rlim_t)request->file_size_bytes) != 0)
    return -1;
  if (request->cpu_time_ns > 0) {
    // A per-process backstop one second above the tree limit the sampler enforces; the
    // kernel counts whole seconds, SIGXCPU at the soft limit, SIGKILL at the hard one.
    rlim_t seconds = (rlim_t)((request->cpu_time_ns + 999999999) / 1000000000) + 1;
    if (set_limit(RLIMIT_CPU, seconds, seconds + 1) != 0) return -1;
  }
  if (request->open_files > 0 && set_limit(RLIMIT_NOFILE, (rlim_t)request->open_files + 1,
                                           (rlim_t)request->open_files + 1) != 0)
    return -1;
  return 0;
}

// The process group, the launcher's startup scheduling and death signal, and the cgroup.
static int join_groups(const struct child_args* args, int* step) {
  const struct child_settings* settings = args->settings;
  *step = PERFCHECK_STEP_PROCESS_GROUP;
  if (setpgid(0, 0) != 0) return -1;
  // Back to the policy perfcheck was started with: SCHED_BATCH is the launcher's own.
  if (sched_getscheduler(0) != settings->startup_policy)
    (void)sched_setscheduler(0, settings->startup_policy, &settings->startup_param);
  if (settings->startup_timer_slack > 0)
    (void)prctl(PR_SET_TIMERSLACK, (unsigned long)settings->startup_timer_slack);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // best effort: the launcher killed outright
  *step = PERFCHECK_STEP_CGROUP;
  if (args->cgroup_fd >= 0 && write(args->cgroup_fd, "0", 1) != 1) return -1;
  return 0;
}

// CPU affinity, nice and personality as the request asks.
static int apply_placement(const struct perfcheck_launcher_run* request, int* step) {
  *step = PERFCHECK_STEP_AFFINITY;
  if ((request->flags & PERFCHECK_LAUNCHER_AFFINITY) != 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    memcpy(&set, request->cpus,
           sizeof request->cpus < sizeof set ? sizeof request->cpus : sizeof set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) return -1;
  }
  *step = PERFCHECK_STEP_NICE;
  if ((request->flags & PERFCHECK_LAUNCHER_NICE) != 0 &&
      setpriority(PRIO_PROCESS, 0, request->nice) != 0)
    return -1;
  *step = PERFCHECK_STEP_PERSONALITY;
  if ((request->flags & PERFCHECK_LAUNCHER_NO_ASLR) != 0) {
    int persona = personality(0xffffffff);
    if (persona == -1 || personality((unsigned long)persona | ADDR_NO_RANDOMIZE) == -1) return -1;
  }
  return 0;
}

// Runs in the clone(CLONE_VM | CLONE_VFORK) child on its own stack, sharing the launcher's
// memory until exec: only system calls, and the outcome goes into *args.
static int child_main(void* arg) {
  struct child_args* args = arg;
  const struct child_settings* settings = args->settings;
  int step = PERFCHECK_STEP_PROCESS_GROUP;
  // The handler table is the child's own copy (no CLONE_SIGHAND): reset it for the command.
  for (int i = 0; i < settings->reset_count; ++i) signal(settings->reset_signals[i], SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  if (join_groups(args, &step) != 0 || apply_placement(args->request, &step) != 0) goto failed;
  step = PERFCHECK_STEP_REDIRECT;
  // The received fds are close-on-exec; dup2 onto 1 and 2 clears that on the copies. 0..2
  // are always open in the launcher, so the received fds are never 1 or 2 themselves.
  if (args->out_fd >= 0 && (dup2(args->out_fd, 1) < 0 || dup2(args->err_fd, 2) < 0)) goto failed;
  step = PERFCHECK_STEP_RLIMIT;
  if (set_limits(args->request) != 0) goto failed;
  sigprocmask(SIG_SETMASK, &settings->startup_mask, NULL);
  step = PERFCHECK_STEP_EXEC;
  execve(args->program, args->argv, args->envp != NULL ? args->envp : environ);
failed:
  args->error = errno != 0 ? errno : EINVAL;
  args->step = step;
  _exit(127);
}

struct spawn_result spawn_command(const struct child_settings* settings, const char* program,
                                  char** argv, char** envp, const struct perfcheck_launcher_run* request,
                                  int out_fd, int err_fd, int cgroup_fd) {
  // The child's own stack in the memory it shares with the launcher until exec (CLONE_VM):
  // static, so that the launcher's stack needs no 64 KiB frame for it.
  static char child_stack[64 * 1024] __attribute__((aligned(16)));
  struct child_args args = {settings, program, argv, envp, out_fd, err_fd, cgroup_fd, request, 0, 0};
  struct spawn_result result;
  result.pid =
      clone(child_main, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  result.error = result.pid < 0 ? errno : args.error;
  result.step = result.pid < 0 ? PERFCHECK_STEP_CLONE : args.step;
  return result;
}
