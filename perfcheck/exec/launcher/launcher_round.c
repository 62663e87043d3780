// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "launcher_round.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control_socket.h"

extern char** environ;

// After the grace period, SIGKILL again this often until a copy is gone.
#define COPY_KILL_RETRY_NS 20000000

// One copy of a round, from its spawn to its reap.
struct round_copy {
  pid_t pid;              // its process group too; 0 when it never started
  int done;               // reaped (or never started)
  int status;             // wait status
  struct rusage usage;    // its own and its waited-for children's (wait4)
  int64_t start_ns, end_ns, deadline;
  int stopping;           // SIGTERM sent
  int64_t kill_at;        // SIGKILL from then on
  int limit;              // PERFCHECK_LIMIT_* that stopped it
  int64_t limit_observed;
  int64_t peak;           // highest summed RSS of its processes sampled
  int spawn_errno, spawn_step;
};

// The round: its copies, the attribution arrays the tree walk fills, and what is still running.
struct round_state {
  struct launcher_run* run;  // the round's tree: baselines, timeline, sweep, ROUND_END reply
  const struct perfcheck_launcher_run* request;
  struct round_copy* copies;
  pid_t* roots;
  int64_t* owner_rss;
  int* owner_live;
  int64_t* owner_ticks;
  int* owner_fds;
  int count;
  int running;
};

static int64_t tv_ns(const struct timeval* t) {
  return (int64_t)t->tv_sec * 1000000000 + (int64_t)t->tv_usec * 1000;
}

char* substitute_instance(const char* text, int instance) {
  static const char marker[] = "{instance}";
  const size_t marker_length = sizeof marker - 1;
  char number[16];
  int digits = snprintf(number, sizeof number, "%d", instance);
  size_t size = strlen(text) + 1;
  for (const char* p = strstr(text, marker); p != NULL; p = strstr(p + marker_length, marker))
    size += (size_t)digits;
  char* out = malloc(size);
  if (out == NULL) return NULL;
  char* to = out;
  for (const char* from = text;;) {
    const char* hit = strstr(from, marker);
    size_t length = hit != NULL ? (size_t)(hit - from) : strlen(from);
    memcpy(to, from, length);
    to += length;
    if (hit == NULL) break;
    memcpy(to, number, (size_t)digits);
    to += digits;
    from = hit + marker_length;
  }
  *to = '\0';
  return out;
}

static void free_strings(char** strings) {
  if (strings == NULL) return;
  for (char** s = strings; *s != NULL; ++s) free(*s);
  free(strings);
}

// `source` (NULL-terminated) with {instance} substituted, `first` (if any) in front.
static char** instance_strings(char** source, int instance, const char* first) {
  size_t n = 0;
  while (source[n] != NULL) ++n;
  char** out = calloc(n + 2, sizeof *out);
  if (out == NULL) return NULL;
  size_t at = 0;
  if (first != NULL && (out[at++] = strdup(first)) == NULL) return free_strings(out), NULL;
  for (size_t i = 0; i < n; ++i)
    if ((out[at++] = substitute_instance(source[i], instance)) == NULL) return free_strings(out), NULL;
  return out;
}

// Starts copy `i`: its arguments and environment with {instance} = i and PERFCHECK_INSTANCE.
static void spawn_copy(struct round_state* round, int i, const char* program, char** argv,
                       const int fds[3]) {
  struct round_copy* copy = &round->copies[i];
  char variable[48];
  snprintf(variable, sizeof variable, "PERFCHECK_INSTANCE=%d", i);
  char** copy_argv = instance_strings(argv, i, NULL);
  char** copy_env = instance_strings(environ, i, variable);
  copy->start_ns = now_ns();
  copy->done = 1;
  if (copy_argv == NULL || copy_env == NULL) {
    copy->spawn_errno = ENOMEM;
    copy->spawn_step = PERFCHECK_STEP_CLONE;
  } else {
    struct spawn_result spawned = spawn_command(&round->run->launcher->child, program, copy_argv,
                                                copy_env, round->request, fds[0], fds[1], fds[2]);
    if (spawned.error != 0) {
      copy->spawn_errno = spawned.error;
      copy->spawn_step = spawned.step;
      if (spawned.pid > 0)
        while (waitpid(spawned.pid, NULL, __WALL) < 0 && errno == EINTR) {
        }
    } else {
      copy->pid = spawned.pid;
      copy->done = 0;
      ++round->running;
      round->roots[i] = spawned.pid;
      const int64_t timeout = round->request->timeout_ns;
      copy->deadline = timeout > 0 ? copy->start_ns + timeout : -1;
    }
  }
  copy->end_ns = now_ns();
  free_strings(copy_argv);
  free_strings(copy_env);
}

// Sends `sig` to a running copy's process group and to every process the last walk gave it.
static void signal_copy(struct round_state* round, int i, int sig) {
  struct round_copy* copy = &round->copies[i];
  if (copy->done) return;
  kill(-copy->pid, sig);
  struct process_tree* tree = round->run->launcher->tree;
  for (int k = 0; k < tree->count; ++k)
    if (tree->owner[k] == i) kill(tree->pids[k], sig);
}

// Records a copy's first limit and starts stopping it (SIGTERM, SIGKILL after the grace).
static void trip_copy(struct round_state* round, int i, int limit, int64_t observed, int64_t now) {
  struct round_copy* copy = &round->copies[i];
  if (copy->done) return;
  if (copy->limit == PERFCHECK_LIMIT_NONE) {
    copy->limit = limit;
    copy->limit_observed = observed;
  }
  if (copy->stopping) return;
  copy->stopping = 1;
  copy->kill_at = now + round->request->grace_ns;
  signal_copy(round, i, SIGTERM);
}

static int copy_of(const struct round_state* round, pid_t pid) {
  for (int i = 0; i < round->count; ++i)
    if (round->copies[i].pid == pid && !round->copies[i].done) return i;
  return -1;
}

// Reaps every dead child without blocking; a copy's own process ends that copy.
static void reap_round(struct round_state* round) {
  for (;;) {
    int status = 0;
    struct rusage usage;
    pid_t pid = wait4(-1, &status, WNOHANG | __WALL, &usage);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    int i = copy_of(round, pid);
    if (i < 0) continue;  // an orphan of some copy: counted and stopped in the sweep
    struct round_copy* copy = &round->copies[i];
    copy->done = 1;
    copy->status = status;
    copy->usage = usage;
    copy->end_ns = now_ns();
    round->run->end_ns = copy->end_ns;
    --round->running;
    if (WIFSIGNALED(status) && copy->limit == PERFCHECK_LIMIT_NONE) {
      const int sig = WTERMSIG(status);
      if (sig == SIGXCPU && round->request->cpu_time_ns > 0) copy->limit = PERFCHECK_LIMIT_CPU_TIME;
      if (sig == SIGXFSZ && round->request->file_size_bytes > 0) {
        copy->limit = PERFCHECK_LIMIT_FILE_SIZE;
        copy->limit_observed = round->request->file_size_bytes;
      }
    }
  }
}

// One walk of the round's tree: the tree's peak and timeline, each copy's peak and limits.
static void sample_round(struct round_state* round, int64_t now) {
  struct launcher_run* run = round->run;
  const struct perfcheck_launcher_run* request = round->request;
  struct process_tree* tree = run->launcher->tree;
  set_batch_policy(run, 1);
  process_tree_walk(tree, 1, request->open_files > 0);
  ++run->reply.samples;
  if (tree->rss_bytes > run->peak) run->peak = tree->rss_bytes;
  if (tree->threads > run->reply.threads_peak) run->reply.threads_peak = tree->threads;
  memory_timeline_add(&run->timeline, now - run->start_ns, tree->rss_bytes, tree->live, tree->threads);
  const int64_t ns_per_tick = 1000000000 / run->launcher->clock_ticks;
  for (int i = 0; i < round->count; ++i) {
    struct round_copy* copy = &round->copies[i];
    if (copy->done) continue;
    if (round->owner_rss[i] > copy->peak) copy->peak = round->owner_rss[i];
    if (request->memory_bytes > 0 && round->owner_rss[i] > request->memory_bytes)
      trip_copy(round, i, PERFCHECK_LIMIT_MEMORY, round->owner_rss[i], now);
    if (request->processes > 0 && round->owner_live[i] > request->processes)
      trip_copy(round, i, PERFCHECK_LIMIT_PROCESSES, round->owner_live[i], now);
    if (request->open_files > 0 && round->owner_fds[i] > request->open_files)
      trip_copy(round, i, PERFCHECK_LIMIT_OPEN_FILES, round->owner_fds[i], now);
    const int64_t cpu = round->owner_ticks[i] * ns_per_tick;
    if (request->cpu_time_ns > 0 && cpu > request->cpu_time_ns)
      trip_copy(round, i, PERFCHECK_LIMIT_CPU_TIME, cpu, now);
  }
  run->next_sample += request->sample_interval_ns;
  if (run->next_sample <= now) run->next_sample = now + request->sample_interval_ns;
}

// The timeouts and SIGKILLs due now; returns when the loop must wake next (-1: never).
static int64_t check_copies(struct round_state* round, int64_t now) {
  int64_t wake = round->request->sample_interval_ns > 0 ? round->run->next_sample : -1;
  for (int i = 0; i < round->count; ++i) {
    struct round_copy* copy = &round->copies[i];
    if (copy->done) continue;
    if (copy->deadline >= 0 && now >= copy->deadline && !copy->stopping)
      trip_copy(round, i, PERFCHECK_LIMIT_TIMEOUT, now - copy->start_ns, now);
    if (copy->stopping && now >= copy->kill_at) {
      signal_copy(round, i, SIGKILL);
      copy->kill_at = now + COPY_KILL_RETRY_NS;
    }
    const int64_t next = copy->stopping ? copy->kill_at : copy->deadline;
    if (next >= 0 && (wake < 0 || next < wake)) wake = next;
  }
  return wake;
}

// A STOP (the OUTPUT limit, of the round's shared output) stops every copy; end of file means
// perfcheck is gone.
static void round_control(struct round_state* round) {
  struct perfcheck_launcher_stop stop;
  const enum control_event status = receive_stop(round->run->launcher->control, &stop);
  switch (status) {
    case CONTROL_STOP:
      for (int i = 0; i < round->count; ++i) trip_copy(round, i, stop.limit, stop.observed, now_ns());
      break;
    case CONTROL_CLOSED:
    case CONTROL_MALFORMED:
      give_up_on_control(round->run, status, "a round");
    default:
      break;
  }
}

static void watch_round(struct round_state* round) {
  for (;;) {
    reap_round(round);
    if (round->running == 0) return;
    int64_t now = now_ns();
    if (round->request->sample_interval_ns > 0 && now >= round->run->next_sample) sample_round(round, now);
    const int64_t wake = check_copies(round, now);
    short revents = wait_for_event(round->run->launcher, wake, 1);
    if (fatal_signal != 0) die_of(round->run, fatal_signal);
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) round_control(round);
  }
}

// The reply of copy `i`: its own figures (wait4 of its command: its CPU, peak, faults) and
// the peak of its processes as sampled.
static void copy_reply(const struct round_state* round, int i, struct perfcheck_launcher_reply* reply) {
  const struct round_copy* copy = &round->copies[i];
  memset(reply, 0, PERFCHECK_LAUNCHER_REPLY_SIZE(0));
  reply->magic = PERFCHECK_LAUNCHER_MAGIC;
  reply->version = PERFCHECK_LAUNCHER_VERSION;
  reply->type = PERFCHECK_LAUNCHER_REPLY;
  reply->instance = i;
  reply->pid = copy->pid;
  reply->wait_status = copy->status;
  reply->spawn_errno = copy->spawn_errno;
  reply->spawn_step = copy->spawn_step;
  reply->wall_ns = copy->end_ns - copy->start_ns;
  reply->user_ns = tv_ns(&copy->usage.ru_utime);
  reply->sys_ns = tv_ns(&copy->usage.ru_stime);
  reply->max_rss_bytes = (int64_t)copy->usage.ru_maxrss * 1024;
  reply->minor_faults = copy->usage.ru_minflt;
  reply->major_faults = copy->usage.ru_majflt;
  reply->voluntary_cs = copy->usage.ru_nvcsw;
  reply->involuntary_cs = copy->usage.ru_nivcsw;
  reply->blocks_in = copy->usage.ru_inblock;
  reply->blocks_out = copy->usage.ru_oublock;
  reply->rss_tree_bytes = copy->peak > reply->max_rss_bytes ? copy->peak : reply->max_rss_bytes;
  reply->limit = copy->limit;
  reply->limit_observed = copy->limit_observed;
  reply->samples = round->run->reply.samples;
}

static int alloc_round(struct round_state* round, int count) {
  round->count = count;
  round->copies = calloc((size_t)count, sizeof *round->copies);
  round->roots = calloc((size_t)count, sizeof *round->roots);
  round->owner_rss = calloc((size_t)count, sizeof *round->owner_rss);
  round->owner_live = calloc((size_t)count, sizeof *round->owner_live);
  round->owner_ticks = calloc((size_t)count, sizeof *round->owner_ticks);
  round->owner_fds = calloc((size_t)count, sizeof *round->owner_fds);
  return round->copies && round->roots && round->owner_rss && round->owner_live &&
         round->owner_ticks && round->owner_fds;
}

static void free_round(struct round_state* round, struct process_tree* tree) {
  tree->roots = NULL;
  tree->root_count = 0;
  free(round->copies);
  free(round->roots);
  free(round->owner_rss);
  free(round->owner_live);
  free(round->owner_ticks);
  free(round->owner_fds);
}

// The replies: one per copy, then the round's. Returns send_reply's first failure, else 0.
static int send_round(struct round_state* round) {
  struct perfcheck_launcher_reply reply;
  for (int i = 0; i < round->count; ++i) {
    copy_reply(round, i, &reply);
    int sent = send_reply(round->run->launcher->control, &reply);
    if (sent != 0) return sent;
  }
  return send_reply(round->run->launcher->control, &round->run->reply);
}

int launcher_round(struct launcher_run* run, const char* program, char** argv,
                   const struct perfcheck_launcher_run* request, const int fds[3]) {
  struct round_state round = {run, request, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
  struct process_tree* tree = run->launcher->tree;
  if (!alloc_round(&round, (int)request->copies)) launcher_fail("out of memory for a round", ENOMEM);
  tree->roots = round.roots;
  tree->root_count = round.count;
  tree->owner_rss = round.owner_rss;
  tree->owner_live = round.owner_live;
  tree->owner_ticks = round.owner_ticks;
  tree->owner_fds = round.owner_fds;
  launcher_tree_begin(run, request);
  for (int i = 0; i < round.count; ++i) spawn_copy(&round, i, program, argv, fds);
  for (int i = 0; i < 3; ++i)
    if (fds[i] >= 0) close(fds[i]);
  run->end_ns = now_ns();
  watch_round(&round);
  launcher_tree_end(run);
  int sent = send_round(&round);
  free_round(&round, tree);
  return sent;
}
