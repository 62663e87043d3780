// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// perfcheck-launcher: starts, watches, limits, times and reaps each run of the measured
// command for perfcheck, and every process the run starts.
//
// Why it exists: wait4's ru_maxrss of a child is at least the resident size of the process
// that forked it, because exec records the old address space's high-water mark (Linux
// exec_mmap) and with vfork/clone(CLONE_VM) that address space is the parent's. Spawned
// straight from perfcheck, every command would report perfcheck's own megabytes as its floor.
// This program is plain C, linked -static, and resides in a few hundred KiB, so that is the
// floor. Being the command's parent also makes it the natural owner of the process tree.
//
// Usage (perfcheck does this; nobody else needs to):
//   perfcheck-launcher CONTROL_FD PROGRAM -- ARGV0 [ARGS...]
//   perfcheck-launcher --noop          exit 0 at once (perfcheck measures launch overhead)
//
// perfcheck starts the launcher once per process_executor with posix_spawn: stdin /dev/null,
// stdout and stderr perfcheck's own, the working directory and environment of the command,
// and CONTROL_FD one end of a socketpair(AF_UNIX, SOCK_SEQPACKET). PROGRAM is the resolved
// path to execute (perfcheck does the PATH search, for clear errors); ARGV is passed as is.
//
// Protocol (structs in launcher_protocol.h; every message is one packet):
//   1. perfcheck sends a RUN message: limits, sampling interval, CPU pinning, nice, ASLR.
//      With REDIRECT it carries two fds (SCM_RIGHTS) that become the command's stdout and
//      stderr; with CGROUP one more, the cgroup.procs of a cgroup the command joins.
//   2. The launcher reads CLOCK_MONOTONIC and starts the command with clone(CLONE_VM |
//      CLONE_VFORK) (posix_spawn's way, but with room for setup between clone and exec): new
//      process group, cgroup, affinity, nice, personality, rlimits, output fds, exec.
//   3. Until the command exits it samples the tree every interval (/proc: live processes,
//      summed RSS, CPU time and open fds when limited), checks the limits and the timeout, and
//      listens for a STOP from perfcheck (which watches the output). A limit that trips sends
//      SIGTERM to every process of the tree and SIGKILL after the grace period.
//   4. Once the command is reaped, any process of the tree still alive is counted as leaked
//      (unless the run was being stopped anyway) and stopped the same way. The launcher is a
//      child subreaper (PR_SET_CHILD_SUBREAPER), so grandchildren that double-fork or setsid()
//      are reparented to it and it reaps every one of them before it replies: no process
//      started by a run survives the run.
//   5. It sends one REPLY: pid, wall time, wait status or spawn error, the rusage of the whole
//      tree (RUSAGE_CHILDREN delta), the tree's I/O (/proc/self/io delta: a reaped child's
//      counts are added to its reaper), peak tree RSS, the memory timeline (at most 256
//      points, downsampled by keeping the maximum of merged neighbours), leaked processes and
//      the limit that stopped the run.
//   6. Repeat. perfcheck may pipeline: send the next RUN, flagged AFTER_CLEAN, before this
//      reply, so the next run starts as soon as this one is answered, without waiting for
//      perfcheck. Such a run starts only if the one before ended clean (started, no limit,
//      exit 0; with FAILURES_ALLOWED any exit); otherwise the launcher answers SKIPPED at once.
//      perfcheck sends no STOP once a RUN is queued, so the launcher stops watching the socket
//      for the rest of the run in progress (a fatal signal still ends it).
//   6a. A RUN flagged ROUND starts run.copies copies at once (launcher_round.c), each in its
//      own process group with {instance} and PERFCHECK_INSTANCE, sampled, limited (each copy
//      on its own) and reaped together; then one REPLY per copy and a ROUND_END for the round.
//   7. End of file on the control socket: exit 0 (mid-run: kill the tree first). A
//      malformed message: a line on stderr and exit 2.
// If perfcheck dies, the launcher gets SIGTERM (PR_SET_PDEATHSIG; note that this fires when
// the spawning *thread* ends). On SIGTERM, SIGINT, SIGHUP or SIGQUIT it SIGKILLs the whole
// tree, reaps it, then dies of the signal itself. The command itself also gets SIGKILL if the
// launcher is killed outright (PR_SET_PDEATHSIG in the child).
//
// Signals are blocked except inside ppoll, so the loop handles them at known points.
//
// Files: this one (start-up and the request loop), launcher_run.c (one run as stages over
// struct launcher_run), launcher_round.c (a round of concurrent copies), command_spawn.c (clone to exec), process_tree.c (the /proc walk),
// memory_timeline.c, control_socket.c (messages), proc_files.c (small /proc reads).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "control_socket.h"
#include "launcher_protocol.h"
#include "launcher_round.h"
#include "launcher_run.h"
#include "process_tree.h"

static const int fatal_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
#define FATAL_COUNT ((int)(sizeof fatal_signals / sizeof fatal_signals[0]))

volatile sig_atomic_t fatal_signal;

static void on_fatal_signal(int sig) { fatal_signal = sig; }

// The metric channel (docs/metrics.md): the slot of PERFCHECK_METRICS in the environment the
// command inherits, and its value as perfcheck set it. Each run with a run_index gets
// "<value>.<run_index>" in that slot, written before the spawn (the child only reads it).
static const char metrics_variable[] = "PERFCHECK_METRICS=";
static char** metrics_slot;
static char* metrics_base;
static char* metrics_entry;
static size_t metrics_size;

static void find_metrics_variable(void) {
  for (char** e = environ; *e != NULL; ++e) {
    if (strncmp(*e, metrics_variable, sizeof metrics_variable - 1) != 0) continue;
    metrics_size = strlen(*e) + 32;  // '.', up to 10 digits, ".{instance}" and the NUL
    metrics_base = *e;
    metrics_entry = malloc(metrics_size);
    if (metrics_entry == NULL) launcher_fail("malloc", errno);
    metrics_slot = e;
    return;
  }
}

static void set_metrics_path(uint32_t run_index) {
  if (metrics_slot == NULL) return;
  if (run_index == 0) {
    *metrics_slot = metrics_base;
    return;
  }
  snprintf(metrics_entry, metrics_size, "%s.%u", metrics_base, (unsigned)run_index);
  *metrics_slot = metrics_entry;
}
// A round's copies: "<base>.<run_index>.{instance}", which launcher_round substitutes per copy
// like any environment value, so each copy has a file of its own.
static void set_round_metrics_path(uint32_t run_index) {
  if (metrics_slot == NULL || run_index == 0) {
    set_metrics_path(0);
    return;
  }
  snprintf(metrics_entry, metrics_size, "%s.%u.{instance}", metrics_base, (unsigned)run_index);
  *metrics_slot = metrics_entry;
}

static void on_child_signal(int sig) { (void)sig; }

// The control socket from argv[1], close-on-exec, and 0..2 kept occupied so that received fds
// never land on them.
static int take_control_socket(const char* number) {
  char* end = NULL;
  long control_number = strtol(number, &end, 10);
  if (*number == '\0' || *end != '\0' || control_number < 0 || control_number > 1 << 20)
    launcher_fail("CONTROL_FD is not a file descriptor number", 0);
  int control = (int)control_number;
  // The command must not inherit the control socket.
  if (fcntl(control, F_SETFD, FD_CLOEXEC) != 0) launcher_fail("CONTROL_FD", errno);
  for (int fd = 0; fd <= 2; ++fd)
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0) launcher_fail("/dev/null", errno);
  return control;
}

// The launcher's scheduling policy stays the one perfcheck gave it: launcher_run.c turns
// SCHED_BATCH on only from a run's first sample on (see there). Timers get a slack of 1 ms, so
// the kernel can fold the sampler's wake-ups into other timer interrupts. What the launcher had
// before goes to the command.
static void lower_own_priority(struct child_settings* child) {
  child->startup_policy = sched_getscheduler(0);
  if (child->startup_policy >= 0) (void)sched_getparam(0, &child->startup_param);
  child->startup_timer_slack = prctl(PR_GET_TIMERSLACK);
  (void)prctl(PR_SET_TIMERSLACK, 1000000UL);
}

// Handlers for the fatal signals and SIGCHLD, blocked except inside ppoll (wait_mask); the
// mask perfcheck gave goes to the command.
static void handle_signals(struct launcher* launcher) {
  sigset_t handled;
  sigemptyset(&handled);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  sigemptyset(&action.sa_mask);
  action.sa_handler = on_fatal_signal;
  for (int i = 0; i < FATAL_COUNT; ++i) {
    sigaction(fatal_signals[i], &action, NULL);
    sigaddset(&handled, fatal_signals[i]);
  }
  action.sa_handler = on_child_signal;
  action.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &action, NULL);
  sigaddset(&handled, SIGCHLD);
  sigprocmask(SIG_BLOCK, &handled, &launcher->child.startup_mask);
  launcher->wait_mask = launcher->child.startup_mask;
  for (int i = 0; i < FATAL_COUNT; ++i) sigdelset(&launcher->wait_mask, fatal_signals[i]);
  sigdelset(&launcher->wait_mask, SIGCHLD);
  launcher->child.reset_signals = fatal_signals;
  launcher->child.reset_count = FATAL_COUNT;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--noop") == 0) return 0;
  if (argc < 5 || strcmp(argv[3], "--") != 0)
    launcher_fail("usage: perfcheck-launcher CONTROL_FD PROGRAM -- ARGV0 [ARGS...] | --noop", 0);

  // Static, not on the stack: together some 40 KiB, the tree's pid array most of it.
  static struct process_tree tree;
  static struct launcher launcher;
  static struct launcher_run run;
  static struct perfcheck_launcher_run request;
  launcher.control = take_control_socket(argv[1]);
  long page_size = sysconf(_SC_PAGESIZE);
  launcher.clock_ticks = sysconf(_SC_CLK_TCK);
  if (launcher.clock_ticks <= 0) launcher.clock_ticks = 100;
  process_tree_init(&tree, page_size > 0 ? page_size : 4096);
  launcher.tree = &tree;
  launcher.io_fd = -2;
  run.launcher = &launcher;

  // Every orphan of the tree becomes the launcher's to reap (and to kill).
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) launcher_fail("prctl PR_SET_CHILD_SUBREAPER", errno);
  lower_own_priority(&launcher.child);
  handle_signals(&launcher);
  prctl(PR_SET_PDEATHSIG, SIGTERM);

  const char* program = argv[2];
  char** command_argv = argv + 4;
  find_metrics_variable();
  for (;;) {
    int fds[3];
    int received = receive_request(&launcher, &request, fds);
    if (received < 0) die_of(&run, fatal_signal);
    if (received == 0) return 0;
    if ((request.flags & PERFCHECK_LAUNCHER_ROUND) != 0) {
      set_round_metrics_path(request.run_index);
      int sent = launcher_round(&run, program, command_argv, &request, fds);
      if (sent != 0) return sent > 0 ? 0 : 2;
      continue;
    }
    const int failures_allowed = (request.flags & PERFCHECK_LAUNCHER_FAILURES_ALLOWED) != 0;
    if ((request.flags & PERFCHECK_LAUNCHER_AFTER_CLEAN) != 0 &&
        !launcher_run_ended_clean(&run, failures_allowed))
      launcher_run_skip(&run, fds);
    else {
      set_metrics_path(request.run_index);
      launcher_run_once(&run, program, command_argv, &request, fds);
    }
    int sent = send_reply(launcher.control, &run.reply);
    if (sent != 0) return sent > 0 ? 0 : 2;
  }
}
