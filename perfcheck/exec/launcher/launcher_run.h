// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// One run of the measured command inside perfcheck-launcher, as stages over one struct: spawn,
// sample and check, control messages, leak sweep, reply (see launcher.c for the protocol).
#ifndef PERFCHECK_EXEC_LAUNCHER_RUN_H
#define PERFCHECK_EXEC_LAUNCHER_RUN_H

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "command_spawn.h"
#include "control_socket.h"
#include "launcher_protocol.h"
#include "memory_timeline.h"
#include "proc_files.h"
#include "process_tree.h"

/// The fatal signal that arrived (SIGTERM, SIGINT, SIGHUP, SIGQUIT), or 0. The one piece of
/// file-scope mutable state: a signal handler can reach nothing else. Signals are blocked
/// except inside ppoll, so it is read at known points only.
extern volatile sig_atomic_t fatal_signal;

/// What every run shares, set up once at start.
struct launcher {
  int control;                  ///< the control socket
  sigset_t wait_mask;           ///< inside ppoll: fatal signals and SIGCHLD unblocked
  struct child_settings child;  ///< what the command gets back of the launcher's settings
  long clock_ticks;             ///< of /proc stat CPU times, per second
  struct process_tree* tree;    ///< the walker, with its open files
  int io_fd;                    ///< /proc/self/io, -2 until opened
};

/// The state of one run, from the request to the reply.
struct launcher_run {
  struct launcher* launcher;                     ///< what every run shares
  const struct perfcheck_launcher_run* request;  ///< NULL between runs
  struct perfcheck_launcher_reply reply;         ///< filled as the run goes
  struct memory_timeline timeline;               ///< into reply.points
  pid_t command;                                 ///< 0 until spawned and again after the run
  int command_done;                              ///< the command has been reaped
  int command_status;                            ///< its wait status
  struct rusage command_usage;                   ///< its own rusage (wait4)
  int64_t start_ns, end_ns;                      ///< just before clone, at the reap
  int stopping;                                  ///< SIGTERM sent to the tree
  int64_t kill_at;                               ///< then SIGKILL from this time on
  int limit;                                     ///< PERFCHECK_LIMIT_* that stopped the run
  int64_t limit_observed;                        ///< the value that passed it
  struct rusage children_before;                 ///< RUSAGE_CHILDREN at the start
  int64_t cpu_base_ns;                           ///< its user + sys
  struct io_counts io_before;                    ///< /proc/self/io at the start
  int io_ok;                                     ///< it was readable
  int64_t next_sample;                           ///< when the sampler runs next
  int64_t deadline;                              ///< the timeout's end, -1: none
  int64_t peak;                                  ///< highest summed tree RSS sampled
  int batch_policy;                              ///< SCHED_BATCH since the first sample
  int next_queued;                               ///< a RUN waits behind this run: no STOP
                                                 ///< can follow it, the socket is not watched
};

/// CLOCK_MONOTONIC in ns.
int64_t now_ns(void);
/// Waits until a signal, the control socket (when `watch_control`) or `deadline_ns` (< 0:
/// none). Returns the poll revents of the control socket.
short wait_for_event(const struct launcher* launcher, int64_t deadline_ns, int watch_control);

/// Runs the command once for `request` with the fds it carried (stdout, stderr, cgroup.procs;
/// -1: none; closed here) and leaves the reply in run->reply. Every process of the run is
/// reaped when it returns. End of file on the control socket mid-run: the tree is killed and
/// the launcher exits 0; a fatal signal: die_of.
void launcher_run_once(struct launcher_run* run, const char* program, char** argv,
                       const struct perfcheck_launcher_run* request, const int fds[3]);

/// True when the run in `run` (the last one) ended clean for a pipelined AFTER_CLEAN request:
/// it started, no limit stopped it, and it exited 0 (any exit or signal when
/// `failures_allowed`). A SKIPPED run is not clean; before the first run: clean.
int launcher_run_ended_clean(const struct launcher_run* run, int failures_allowed);

/// Answers a request without running it: closes its fds and leaves a SKIPPED reply (no
/// points, every figure 0) in run->reply.
void launcher_run_skip(struct launcher_run* run, const int fds[3]);

/// A round's tree as one run without a command of its own (launcher_round.c): a ROUND_END
/// reply started, the baselines and the start time taken.
void launcher_tree_begin(struct launcher_run* run, const struct perfcheck_launcher_run* request);
/// After every copy was reaped (run->end_ns the last reap): the leak sweep of the tree, then
/// the round's figures (RUSAGE_CHILDREN and I/O deltas, run->peak) into run->reply.
void launcher_tree_end(struct launcher_run* run);
/// SCHED_BATCH on (from a run's first sample on) or back to normal; see launcher_run.c.
void set_batch_policy(struct launcher_run* run, int batch);

/// SIGKILLs whatever is left of the tree until nothing is (the command included), reaping it.
void kill_everything(struct launcher_run* run);
/// Kills the tree, then dies of `sig` itself.
void die_of(struct launcher_run* run, int sig) __attribute__((noreturn));
/// The control socket closed (exit 0) or carried a malformed message (reported, exit 2) during
/// `during` ("a run", "a round"): kills the tree first.
void give_up_on_control(struct launcher_run* run, enum control_event status, const char* during)
    __attribute__((noreturn));

#endif  // PERFCHECK_EXEC_LAUNCHER_RUN_H
