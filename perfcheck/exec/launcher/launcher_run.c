// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "launcher_run.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control_socket.h"

// After the grace period, SIGKILL again this often until the tree is gone.
#define KILL_RETRY_NS 20000000

int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t timeval_ns(const struct timeval* t) {
  return (int64_t)t->tv_sec * 1000000000 + (int64_t)t->tv_usec * 1000;
}

short wait_for_event(const struct launcher* launcher, int64_t deadline_ns, int watch_control) {
  struct timespec timeout, *use_timeout = NULL;
  if (deadline_ns >= 0) {
    int64_t left = deadline_ns - now_ns();
    if (left < 0) left = 0;
    timeout.tv_sec = (time_t)(left / 1000000000);
    timeout.tv_nsec = (long)(left % 1000000000);
    use_timeout = &timeout;
  }
  struct pollfd fd = {launcher->control, POLLIN, 0};
  int ready = ppoll(&fd, watch_control ? 1 : 0, use_timeout, &launcher->wait_mask);
  if (ready <= 0) return 0;
  return fd.revents;
}

// ---- stopping the tree ----

// Sends `sig` to the command's process group and to every process of the tree. Returns the
// number of live processes found.
static int signal_tree(struct launcher_run* run, int sig) {
  // The group id is certain to be the command's only until the command is reaped; after
  // that the walk alone finds the tree (the id could in principle be reused).
  if (run->command > 0 && !run->command_done) kill(-run->command, sig);
  struct process_tree* tree = run->launcher->tree;
  process_tree_walk(tree, 0, 0);
  for (int i = 0; i < tree->count; ++i) kill(tree->pids[i], sig);
  return tree->live;
}

// Records the first limit that tripped and starts stopping the tree (SIGTERM, then SIGKILL
// after the grace period).
static void trip(struct launcher_run* run, int limit, int64_t observed, int64_t now) {
  if (run->limit == PERFCHECK_LIMIT_NONE) {
    run->limit = limit;
    run->limit_observed = observed;
  }
  if (!run->stopping) {
    run->stopping = 1;
    run->kill_at = now + run->request->grace_ns;
    signal_tree(run, SIGTERM);
  }
}

// Reaps every dead child without blocking. Returns 1 while children remain, 0 when none.
static int reap_children(struct launcher_run* run) {
  for (;;) {
    int status = 0;
    struct rusage usage;
    pid_t pid = wait4(-1, &status, WNOHANG | __WALL, &usage);
    if (pid == 0) return 1;
    if (pid < 0) {
      if (errno == EINTR) continue;
      return 0;  // ECHILD
    }
    if (pid == run->command && !run->command_done) {
      run->end_ns = now_ns();
      run->command_done = 1;
      run->command_status = status;
      run->command_usage = usage;
    }
    if (WIFSIGNALED(status) && run->request != NULL) {
      int sig = WTERMSIG(status);
      if (sig == SIGXCPU && run->request->cpu_time_ns > 0)
        trip(run, PERFCHECK_LIMIT_CPU_TIME, 0, now_ns());
      else if (sig == SIGXFSZ && run->request->file_size_bytes > 0)
        trip(run, PERFCHECK_LIMIT_FILE_SIZE, run->request->file_size_bytes, now_ns());
    }
  }
}

void kill_everything(struct launcher_run* run) {
  for (;;) {
    if (!reap_children(run)) return;
    signal_tree(run, SIGKILL);
    if (!reap_children(run)) return;
    wait_for_event(run->launcher, now_ns() + KILL_RETRY_NS, 0);
  }
}

void die_of(struct launcher_run* run, int sig) {
  kill_everything(run);
  signal(sig, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  sigprocmask(SIG_UNBLOCK, &only, NULL);
  raise(sig);
  _exit(128 + sig);
}

// ---- the stages of a run ----

// The baselines of a run or round (RUSAGE_CHILDREN, /proc/self/io) and its start time.
static void begin_stage(struct launcher_run* run) {
  struct launcher* launcher = run->launcher;
  getrusage(RUSAGE_CHILDREN, &run->children_before);
  run->cpu_base_ns =
      timeval_ns(&run->children_before.ru_utime) + timeval_ns(&run->children_before.ru_stime);
  launcher->tree->own_read_chars = 0;
  run->io_ok = read_io(&launcher->io_fd, &run->io_before, &launcher->tree->own_read_chars);
  run->start_ns = now_ns();
}

// Spawn: the baselines, the clock, the command. Returns 0 when it could not be started (the
// reply says why).
static int spawn_stage(struct launcher_run* run, const char* program, char** argv,
                       const int fds[3]) {
  struct launcher* launcher = run->launcher;
  begin_stage(run);
  struct spawn_result spawned =
      spawn_command(&launcher->child, program, argv, NULL, run->request, fds[0], fds[1], fds[2]);
  for (int i = 0; i < 3; ++i)
    if (fds[i] >= 0) close(fds[i]);
  if (spawned.error != 0) {
    run->reply.wall_ns = now_ns() - run->start_ns;
    run->reply.spawn_errno = spawned.error;
    run->reply.spawn_step = spawned.step;
    if (spawned.pid > 0)
      while (waitpid(spawned.pid, NULL, __WALL) < 0 && errno == EINTR) {
      }
    return 0;
  }
  run->command = spawned.pid;
  // The first sample one interval in: a run shorter than that costs no sampling at all (its
  // peak is the command's own ru_maxrss).
  run->next_sample = run->start_ns + run->request->sample_interval_ns;
  run->deadline = run->request->timeout_ns > 0 ? run->start_ns + run->request->timeout_ns : -1;
  return 1;
}

// The sampler's wake-ups must not preempt the measured command mid-slice, so from a run's first
// sample on the launcher is SCHED_BATCH (they then wait for a free CPU or the end of the
// slice), and normal again after the run, when perfcheck ran under the normal policy (a
// real-time perfcheck keeps its own). Not before: a batch task woken by the command's SIGCHLD
// or by the next request also waits for a busy CPU's slice to end, which on a loaded machine
// stretched the time between short runs (measured on two CPUs at load 11: a whole
// `perfcheck run` of 300 /bin/true took 1.14x hyperfine's time with the launcher always batch,
// 0.74x with the normal policy), and a run shorter than one interval is never sampled.
void set_batch_policy(struct launcher_run* run, int batch) {
  if (run->launcher->child.startup_policy != SCHED_OTHER || run->batch_policy == batch) return;
  struct sched_param none = {0};
  if (sched_setscheduler(0, batch ? SCHED_BATCH : SCHED_OTHER, &none) == 0) run->batch_policy = batch;
}

// Sample and check: one walk of the tree, a timeline point, the sampled limits.
static void sample_stage(struct launcher_run* run, int64_t now) {
  const struct perfcheck_launcher_run* request = run->request;
  struct process_tree* tree = run->launcher->tree;
  set_batch_policy(run, 1);
  process_tree_walk(tree, 1, request->open_files > 0);
  ++run->reply.samples;
  if (tree->rss_bytes > run->peak) run->peak = tree->rss_bytes;
  if (tree->threads > run->reply.threads_peak) run->reply.threads_peak = tree->threads;
  memory_timeline_add(&run->timeline, now - run->start_ns, tree->rss_bytes, tree->live, tree->threads);
  if (request->memory_bytes > 0 && tree->rss_bytes > request->memory_bytes)
    trip(run, PERFCHECK_LIMIT_MEMORY, tree->rss_bytes, now);
  if (request->processes > 0 && tree->live > request->processes)
    trip(run, PERFCHECK_LIMIT_PROCESSES, tree->live, now);
  if (request->open_files > 0 && tree->max_fds > request->open_files)
    trip(run, PERFCHECK_LIMIT_OPEN_FILES, tree->max_fds, now);
  if (request->cpu_time_ns > 0) {
    struct rusage children;
    getrusage(RUSAGE_CHILDREN, &children);
    int64_t cpu = tree->cpu_ticks * (1000000000 / run->launcher->clock_ticks) +
                  timeval_ns(&children.ru_utime) + timeval_ns(&children.ru_stime) -
                  run->cpu_base_ns;
    if (cpu > request->cpu_time_ns) trip(run, PERFCHECK_LIMIT_CPU_TIME, cpu, now);
  }
  run->next_sample += request->sample_interval_ns;
  if (run->next_sample <= now) run->next_sample = now + request->sample_interval_ns;
}

// When the loop must wake next: the next sample, the timeout, the next SIGKILL; -1: none.
static int64_t next_wake(const struct launcher_run* run, int64_t now) {
  int64_t wake = run->request->sample_interval_ns > 0 ? run->next_sample : -1;
  if (run->deadline >= 0 && !run->stopping && (wake < 0 || run->deadline < wake))
    wake = run->deadline;
  if (run->stopping) {
    int64_t next_kill = run->kill_at > now ? run->kill_at : now + KILL_RETRY_NS;
    if (wake < 0 || next_kill < wake) wake = next_kill;
  }
  return wake;
}

// The control socket closed (perfcheck is gone: exit 0) or carried something other than a STOP
// (exit 2, reported). Either way nothing of the run may be left behind.
void give_up_on_control(struct launcher_run* run, enum control_event status, const char* during) {
  if (status == CONTROL_MALFORMED) {
    char what[96];
    snprintf(what, sizeof what, "malformed message on the control socket during %s", during);
    launcher_report(what, 0);
  }
  kill_everything(run);
  exit(status == CONTROL_MALFORMED ? 2 : 0);
}

// Control messages: a STOP trips its limit; end of file means perfcheck is gone. A RUN is the
// next request, pipelined: it stays on the socket for the request loop, and since perfcheck
// sends no STOP after it, the socket is not watched again during this run.
static void control_stage(struct launcher_run* run) {
  if (request_queued(run->launcher->control)) {
    run->next_queued = 1;
    return;
  }
  struct perfcheck_launcher_stop stop;
  const enum control_event status = receive_stop(run->launcher->control, &stop);
  switch (status) {
    case CONTROL_STOP:
      trip(run, stop.limit, stop.observed, now_ns());
      break;
    case CONTROL_CLOSED:
    case CONTROL_MALFORMED:
      give_up_on_control(run, status, "a run");
    default:
      break;
  }
}

// Until the command exits: samples, limits, the timeout, and messages from perfcheck.
static void watch_stage(struct launcher_run* run) {
  for (;;) {
    reap_children(run);
    if (run->command_done) return;
    int64_t now = now_ns();
    if (run->request->sample_interval_ns > 0 && now >= run->next_sample) sample_stage(run, now);
    if (run->deadline >= 0 && now >= run->deadline && !run->stopping)
      trip(run, PERFCHECK_LIMIT_TIMEOUT, now - run->start_ns, now);
    if (run->stopping && now >= run->kill_at) signal_tree(run, SIGKILL);
    short revents = wait_for_event(run->launcher, next_wake(run, now), !run->next_queued);
    if (fatal_signal != 0) die_of(run, fatal_signal);
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) control_stage(run);
  }
}

// Leak sweep: whatever of the tree is still alive after the command leaked (unless the run
// was being stopped anyway); it is counted, then stopped like a tree over a limit.
static void sweep_stage(struct launcher_run* run) {
  struct process_tree* tree = run->launcher->tree;
  process_tree_walk(tree, 0, 0);
  if (!run->stopping) {
    run->reply.leaked_processes = tree->live;
    if (tree->live > 0 || tree->count > 0) {
      run->stopping = 1;
      run->kill_at = now_ns() + run->request->grace_ns;
      signal_tree(run, SIGTERM);
    }
  }
  while (reap_children(run)) {
    int64_t now = now_ns();
    if (now >= run->kill_at) signal_tree(run, SIGKILL);
    if (!reap_children(run)) break;
    wait_for_event(run->launcher, run->kill_at > now ? run->kill_at : now + KILL_RETRY_NS, 0);
    if (fatal_signal != 0) die_of(run, fatal_signal);
  }
}

// The tree's I/O over the run: /proc/self/io deltas, less what the launcher read itself.
static void add_io(struct launcher_run* run) {
  struct launcher* launcher = run->launcher;
  uint64_t own = launcher->tree->own_read_chars;
  struct io_counts after;
  if (!run->io_ok || !read_io(&launcher->io_fd, &after, &launcher->tree->own_read_chars)) return;
  struct perfcheck_launcher_reply* reply = &run->reply;
  reply->io_available = 1;
  int64_t rchar = after.rchar - run->io_before.rchar - (int64_t)own;
  reply->read_chars = rchar > 0 ? rchar : 0;
  reply->write_chars = after.wchar - run->io_before.wchar;
  reply->read_bytes = after.read_bytes - run->io_before.read_bytes;
  reply->write_bytes = after.write_bytes - run->io_before.write_bytes;
}

// Reply: the figures of the whole tree (RUSAGE_CHILDREN deltas), the peak, the limit.
static void reply_stage(struct launcher_run* run) {
  struct rusage after;
  getrusage(RUSAGE_CHILDREN, &after);
  add_io(run);
  const struct rusage* before = &run->children_before;
  const struct perfcheck_launcher_run* request = run->request;
  struct perfcheck_launcher_reply* reply = &run->reply;
  reply->pid = run->command;
  reply->wait_status = run->command_status;
  reply->wall_ns = run->end_ns - run->start_ns;
  reply->user_ns = timeval_ns(&after.ru_utime) - timeval_ns(&before->ru_utime);
  reply->sys_ns = timeval_ns(&after.ru_stime) - timeval_ns(&before->ru_stime);
  reply->max_rss_bytes = (int64_t)run->command_usage.ru_maxrss * 1024;
  reply->minor_faults = after.ru_minflt - before->ru_minflt;
  reply->major_faults = after.ru_majflt - before->ru_majflt;
  reply->voluntary_cs = after.ru_nvcsw - before->ru_nvcsw;
  reply->involuntary_cs = after.ru_nivcsw - before->ru_nivcsw;
  reply->blocks_in = after.ru_inblock - before->ru_inblock;
  reply->blocks_out = after.ru_oublock - before->ru_oublock;
  reply->rss_tree_bytes = run->peak > reply->max_rss_bytes ? run->peak : reply->max_rss_bytes;
  // A command that died of the signal an rlimit sends hit that limit.
  if (run->limit == PERFCHECK_LIMIT_NONE && WIFSIGNALED(run->command_status)) {
    int sig = WTERMSIG(run->command_status);
    if (sig == SIGXCPU && request->cpu_time_ns > 0) run->limit = PERFCHECK_LIMIT_CPU_TIME;
    if (sig == SIGXFSZ && request->file_size_bytes > 0) {
      run->limit = PERFCHECK_LIMIT_FILE_SIZE;
      run->limit_observed = request->file_size_bytes;
    }
  }
  reply->limit = run->limit;
  reply->limit_observed = run->limit_observed;
}

static void start_reply(struct launcher_run* run, uint32_t type) {
  struct launcher* launcher = run->launcher;
  memset(run, 0, sizeof *run);
  run->launcher = launcher;
  run->reply.magic = PERFCHECK_LAUNCHER_MAGIC;
  run->reply.version = PERFCHECK_LAUNCHER_VERSION;
  run->reply.type = type;
}

int launcher_run_ended_clean(const struct launcher_run* run, int failures_allowed) {
  const struct perfcheck_launcher_reply* last = &run->reply;
  if (last->type == PERFCHECK_LAUNCHER_SKIPPED) return 0;
  if (last->spawn_errno != 0 || last->limit != PERFCHECK_LIMIT_NONE) return 0;
  return failures_allowed || (WIFEXITED(last->wait_status) && WEXITSTATUS(last->wait_status) == 0);
}

void launcher_run_skip(struct launcher_run* run, const int fds[3]) {
  for (int i = 0; i < 3; ++i)
    if (fds[i] >= 0) close(fds[i]);
  start_reply(run, PERFCHECK_LAUNCHER_SKIPPED);
}

void launcher_run_once(struct launcher_run* run, const char* program, char** argv,
                       const struct perfcheck_launcher_run* request, const int fds[3]) {
  struct launcher* launcher = run->launcher;
  start_reply(run, PERFCHECK_LAUNCHER_REPLY);
  run->request = request;
  memory_timeline_start(&run->timeline, &run->reply);
  if (spawn_stage(run, program, argv, fds)) {
    watch_stage(run);
    sweep_stage(run);
    set_batch_policy(run, 0);
    reply_stage(run);
    process_tree_forget(launcher->tree);
  }
  run->command = 0;
  run->request = NULL;
}

void launcher_tree_begin(struct launcher_run* run, const struct perfcheck_launcher_run* request) {
  start_reply(run, PERFCHECK_LAUNCHER_ROUND_END);
  run->request = request;
  memory_timeline_start(&run->timeline, &run->reply);
  begin_stage(run);
  run->next_sample = run->start_ns + request->sample_interval_ns;
}

void launcher_tree_end(struct launcher_run* run) {
  sweep_stage(run);
  set_batch_policy(run, 0);
  reply_stage(run);
  run->reply.type = PERFCHECK_LAUNCHER_ROUND_END;
  process_tree_forget(run->launcher->tree);
  run->request = NULL;
}
