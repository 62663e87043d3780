// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The messages between perfcheck and perfcheck-launcher on their SOCK_SEQPACKET control
// socket. Plain C, shared by launcher.c and the C++ process_executor; see launcher.c for the
// protocol as a whole.
#ifndef PERFCHECK_EXEC_LAUNCHER_PROTOCOL_H
#define PERFCHECK_EXEC_LAUNCHER_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

/// "PCL1" in the first field of every message; anything else is a protocol error.
#define PERFCHECK_LAUNCHER_MAGIC 0x314c4350u
/// Bumped whenever a message layout changes; the launcher refuses other versions.
/// 2: message types, limits, tree sampling, memory timeline, I/O, leaked processes.
/// 3: pipelined runs (AFTER_CLEAN, FAILURES_ALLOWED and the SKIPPED reply); thread counts
///    (threads_peak, and threads in each timeline point).
/// 4: rounds of concurrent copies (ROUND, run.copies, reply.instance, the ROUND_END reply).
/// 5: run.run_index: the metric channel's path per run (PERFCHECK_METRICS with ".<index>").
#define PERFCHECK_LAUNCHER_VERSION 5u
/// The launcher's fd for the control socket: perfcheck always places it there.
#define PERFCHECK_LAUNCHER_CONTROL_FD 3

/// Message types (the third field of every message).
#define PERFCHECK_LAUNCHER_RUN 1u    ///< perfcheck -> launcher: run the command once
#define PERFCHECK_LAUNCHER_STOP 2u   ///< perfcheck -> launcher: stop the running tree (a limit)
#define PERFCHECK_LAUNCHER_REPLY 3u  ///< launcher -> perfcheck: what the run cost
/// launcher -> perfcheck: an AFTER_CLEAN run was not started (the run before it did not end
/// clean). A reply without points whose figures are all zero.
#define PERFCHECK_LAUNCHER_SKIPPED 4u
/// launcher -> perfcheck: the last message of a round, after its copies' REPLYs: the figures of
/// the whole round (see PERFCHECK_LAUNCHER_ROUND).
#define PERFCHECK_LAUNCHER_ROUND_END 5u

/// run.flags: two fds ride along (SCM_RIGHTS): the command's stdout, then its stderr.
#define PERFCHECK_LAUNCHER_REDIRECT 1u
/// run.flags: one more fd rides along (after the output fds, if any): the cgroup.procs file of
/// the cgroup the command joins before exec.
#define PERFCHECK_LAUNCHER_CGROUP 2u
/// run.flags: pin the command to run.cpus (sched_setaffinity).
#define PERFCHECK_LAUNCHER_AFFINITY 4u
/// run.flags: set the command's nice value to run.nice (setpriority).
#define PERFCHECK_LAUNCHER_NICE 8u
/// run.flags: disable address space randomization (personality ADDR_NO_RANDOMIZE).
#define PERFCHECK_LAUNCHER_NO_ASLR 16u
/// run.flags: a pipelined run, sent before the reply to the run before it: start it only if
/// that run ended clean (started, no limit, exit status 0, no signal); else reply SKIPPED.
/// perfcheck sends no STOP once such a RUN is queued, so the launcher stops watching the
/// socket for the rest of the run in progress.
#define PERFCHECK_LAUNCHER_AFTER_CLEAN 32u
/// run.flags, with AFTER_CLEAN: a non-zero exit status or a signal still counts as clean
/// (only a limit or a failed start does not).
#define PERFCHECK_LAUNCHER_FAILURES_ALLOWED 64u
/// run.flags: a round of run.copies copies started together, copy i with "{instance}" in its
/// arguments and environment values replaced by i and PERFCHECK_INSTANCE=i in its environment,
/// each in its own process group. The limits apply to each copy (its processes, as sampled,
/// and its timeout from its own start); the output fds are shared. The launcher answers with
/// one REPLY per copy (instance order, reply.instance set) and then one ROUND_END: wall_ns
/// from the first clone to the last reap, user/sys/faults/I/O of the whole round's tree,
/// rss_tree_bytes the peak summed RSS of the whole tree in one sample, the tree's timeline,
/// leaked_processes still alive once every copy had exited. Not combined with AFTER_CLEAN.
#define PERFCHECK_LAUNCHER_ROUND 128u
/// Copies one round may start at most.
#define PERFCHECK_LAUNCHER_MAX_COPIES 1000

/// Limit kinds (reply.limit, stop.limit); 0: none. perfcheck's limit_kind has the same order.
#define PERFCHECK_LIMIT_NONE 0
#define PERFCHECK_LIMIT_MEMORY 1
#define PERFCHECK_LIMIT_CPU_TIME 2
#define PERFCHECK_LIMIT_TIMEOUT 3
#define PERFCHECK_LIMIT_PROCESSES 4
#define PERFCHECK_LIMIT_OPEN_FILES 5
#define PERFCHECK_LIMIT_FILE_SIZE 6
#define PERFCHECK_LIMIT_OUTPUT 7

/// reply.spawn_step: which step of starting the command failed (with reply.spawn_errno).
#define PERFCHECK_STEP_EXEC 0
#define PERFCHECK_STEP_CLONE 1
#define PERFCHECK_STEP_PROCESS_GROUP 2
#define PERFCHECK_STEP_CGROUP 3
#define PERFCHECK_STEP_AFFINITY 4
#define PERFCHECK_STEP_NICE 5
#define PERFCHECK_STEP_PERSONALITY 6
#define PERFCHECK_STEP_RLIMIT 7
#define PERFCHECK_STEP_REDIRECT 8

/// CPUs an affinity mask can name: 1024 (bit n of cpus[n / 64]).
#define PERFCHECK_LAUNCHER_MAX_CPUS 1024
/// Points of the memory timeline in one reply at most; longer runs are downsampled.
#define PERFCHECK_LAUNCHER_MAX_POINTS 256

/// perfcheck -> launcher: run the command once under these limits. Zero means "none" for
/// every limit.
struct perfcheck_launcher_run {
  uint32_t magic;              ///< PERFCHECK_LAUNCHER_MAGIC
  uint32_t version;            ///< PERFCHECK_LAUNCHER_VERSION
  uint32_t type;               ///< PERFCHECK_LAUNCHER_RUN
  uint32_t flags;              ///< PERFCHECK_LAUNCHER_* bits; without REDIRECT: inherit 1 and 2
  int64_t timeout_ns;          ///< wall time from spawn; then the tree is stopped (TIMEOUT)
  int64_t memory_bytes;        ///< summed RSS of the tree, sampled (MEMORY)
  int64_t cpu_time_ns;         ///< user + system time of the tree, sampled (CPU_TIME), and
                               ///< RLIMIT_CPU per process one second above, as a backstop
  int64_t file_size_bytes;     ///< RLIMIT_FSIZE per process (FILE_SIZE on SIGXFSZ)
  int64_t sample_interval_ns;  ///< tree sampling period; 0: no sampling
  int64_t grace_ns;            ///< from SIGTERM to SIGKILL when stopping a tree
  int32_t processes;           ///< live processes in the tree, sampled (PROCESSES)
  int32_t open_files;          ///< open fds per process: RLIMIT_NOFILE N + 1, sampled (OPEN_FILES)
  int32_t nice;                ///< with PERFCHECK_LAUNCHER_NICE
  uint32_t copies;             ///< with PERFCHECK_LAUNCHER_ROUND: 1..MAX_COPIES; else zero
  /// Not 0: the command's PERFCHECK_METRICS (as the launcher's environment has it) gets
  /// ".<run_index>" appended for this run, so a pipelined run never writes into the metric
  /// channel of the run before it (docs/metrics.md). 0: PERFCHECK_METRICS as it is.
  uint32_t run_index;
  uint32_t reserved;            ///< zero (keeps cpus 8-byte aligned)
  uint64_t cpus[PERFCHECK_LAUNCHER_MAX_CPUS / 64];  ///< with PERFCHECK_LAUNCHER_AFFINITY
};

/// perfcheck -> launcher, during a run: stop the tree now; the run ends with this limit.
struct perfcheck_launcher_stop {
  uint32_t magic;    ///< PERFCHECK_LAUNCHER_MAGIC
  uint32_t version;  ///< PERFCHECK_LAUNCHER_VERSION
  uint32_t type;     ///< PERFCHECK_LAUNCHER_STOP
  int32_t limit;     ///< PERFCHECK_LIMIT_*
  int64_t observed;  ///< the value that passed the limit, in the limit's base unit
};

/// One point of the memory timeline: the maximum over the samples it stands for.
struct perfcheck_launcher_point {
  int64_t t_ns;       ///< since spawn, of the first sample it stands for
  int64_t rss_bytes;  ///< summed RSS of the tree's processes
  int32_t processes;  ///< live processes in the tree
  int32_t threads;    ///< threads of the tree's live processes
};

/// launcher -> perfcheck: what the run cost, sent once the command and every process it
/// started have been reaped. Sent without the unused tail of `points`: the message is
/// offsetof(points) + point_count * sizeof(point) bytes.
struct perfcheck_launcher_reply {
  uint32_t magic;                 ///< PERFCHECK_LAUNCHER_MAGIC
  uint32_t version;               ///< PERFCHECK_LAUNCHER_VERSION
  uint32_t type;                  ///< PERFCHECK_LAUNCHER_REPLY
  uint32_t point_count;           ///< valid entries of `points`
  int32_t pid;                    ///< the command's pid (also its process group); 0 if it never started
  int32_t wait_status;            ///< wait4's status; meaningless when spawn_errno != 0
  int32_t spawn_errno;            ///< 0, or why starting the command failed
  int32_t spawn_step;             ///< PERFCHECK_STEP_* that failed, with spawn_errno
  int64_t wall_ns;                ///< CLOCK_MONOTONIC from just before clone to the command's reap
  int64_t user_ns;                ///< ru_utime of every process of the tree (RUSAGE_CHILDREN delta)
  int64_t sys_ns;                 ///< ru_stime, likewise
  int64_t max_rss_bytes;          ///< ru_maxrss of the command (wait4), converted from KiB
  int64_t minor_faults;           ///< ru_minflt of the tree
  int64_t major_faults;           ///< ru_majflt of the tree
  int64_t voluntary_cs;           ///< ru_nvcsw of the tree
  int64_t involuntary_cs;         ///< ru_nivcsw of the tree
  int64_t blocks_in;              ///< ru_inblock of the tree (512-byte units)
  int64_t blocks_out;             ///< ru_oublock of the tree (512-byte units)
  int64_t rss_tree_bytes;         ///< peak summed RSS of the tree, at least max_rss_bytes
  int64_t read_bytes;             ///< /proc io read_bytes of the tree (storage layer)
  int64_t write_bytes;            ///< /proc io write_bytes of the tree (storage layer)
  int64_t read_chars;             ///< /proc io rchar of the tree (read syscalls)
  int64_t write_chars;            ///< /proc io wchar of the tree (write syscalls)
  int64_t limit_observed;         ///< with `limit`: the value that passed it (base unit)
  int32_t limit;                  ///< PERFCHECK_LIMIT_* that stopped the run, or NONE
  int32_t leaked_processes;       ///< processes still alive when the command exited on its own
  int32_t samples;                ///< tree samples taken
  int32_t io_available;           ///< 1 when /proc/self/io was readable (the io fields mean something)
  int32_t threads_peak;           ///< most threads of the tree's live processes in one sample; 0: no sample
  int32_t instance;               ///< a round's copy (0..copies-1); else zero
  struct perfcheck_launcher_point points[PERFCHECK_LAUNCHER_MAX_POINTS];
};

/// Bytes of a reply carrying `n` points.
#define PERFCHECK_LAUNCHER_REPLY_SIZE(n) \
  (offsetof(struct perfcheck_launcher_reply, points) + (size_t)(n) * sizeof(struct perfcheck_launcher_point))

#ifdef __cplusplus
static_assert(sizeof(perfcheck_launcher_run) == 216, "fixed layout");
static_assert(sizeof(perfcheck_launcher_stop) == 24, "fixed layout");
static_assert(sizeof(perfcheck_launcher_point) == 24, "fixed layout");
static_assert(offsetof(perfcheck_launcher_reply, points) == 184, "fixed layout");
#else
_Static_assert(sizeof(struct perfcheck_launcher_run) == 216, "fixed layout");
_Static_assert(sizeof(struct perfcheck_launcher_stop) == 24, "fixed layout");
_Static_assert(sizeof(struct perfcheck_launcher_point) == 24, "fixed layout");
_Static_assert(offsetof(struct perfcheck_launcher_reply, points) == 184, "fixed layout");
#endif

#endif  // PERFCHECK_EXEC_LAUNCHER_PROTOCOL_H
