// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// One measured run of a command.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "perfcheck/model/units.hpp"

namespace perfcheck {

/// A resource limit of a run; see docs/limits.md for how each is enforced.
enum class limit_kind {
  memory = 1,   ///< summed resident memory of the process tree (bytes)
  cpu_time,     ///< user + system time of the process tree (ns)
  timeout,      ///< wall time of one run (ns)
  processes,    ///< live processes in the tree at once
  open_files,   ///< open file descriptors of one process
  file_size,    ///< size of a file a process writes (bytes)
  output,       ///< captured stdout + stderr bytes of one run
};

/// "MEMORY", "CPU_TIME", "TIMEOUT", "PROCESSES", "OPEN_FILES", "FILE_SIZE", "OUTPUT".
const char* to_string(limit_kind kind);

/// The kind's key in spec and result files: "memory", "cpu_time", ...
std::string limit_key(limit_kind kind);

/// The kind named by `name`, case-insensitive, '-' or '_' between words ("cpu-time"); nullopt
/// for anything else.
std::optional<limit_kind> limit_kind_from_string(std::string_view name);

/// One point of a run's memory timeline: the maximum over the samples it stands for.
struct memory_point {
  std::int64_t t_ns = 0;       ///< since the run started
  std::int64_t rss_bytes = 0;  ///< summed resident memory of the tree's processes
  int processes = 0;           ///< live processes in the tree
  int threads = 0;             ///< threads of the tree's live processes (0: not recorded)
  bool operator==(const memory_point&) const = default;
};

/// A metric the command reported about itself in one run, through the metric channel
/// (docs/metrics.md), in its kind's base unit (ns, bytes, per second, a plain number; a
/// percentage as a fraction).
struct reported_values {
  unit_kind kind = unit_kind::count;
  bool percent = false;        ///< written with '%': values are fractions (78.5% is 0.785)
  bool counter = false;        ///< written as increments ("links +1"): `values` holds the sum
  std::vector<double> values;  ///< one per line: a distribution when more than one
  bool operator==(const reported_values&) const = default;
};

/// What one run of the command cost, as the kernel reported it. The tree is the command and
/// every process it started (see docs/limits.md); counters of the tree are 0 when the
/// executor cannot tell (fakes, results written before these fields existed).
struct run_sample {
  std::int64_t wall_ns = 0;        ///< elapsed CLOCK_MONOTONIC time from spawn to reap
  std::int64_t user_ns = 0;        ///< user CPU time of the process tree
  std::int64_t sys_ns = 0;         ///< system CPU time of the process tree
  std::int64_t max_rss_bytes = 0;  ///< peak resident set size of the command (wait4's ru_maxrss)
  std::optional<int> exit_code;    ///< set when the process exited normally
  std::optional<int> signal;       ///< set when the process was terminated by a signal
  std::int64_t rss_tree_bytes = 0;    ///< peak summed RSS of the tree (sampled), >= max_rss_bytes
  std::int64_t io_read_bytes = 0;     ///< bytes the tree read from storage (/proc io read_bytes)
  std::int64_t io_write_bytes = 0;    ///< bytes the tree caused to be written to storage
  std::int64_t io_read_chars = 0;     ///< bytes the tree's read syscalls returned (rchar)
  std::int64_t io_write_chars = 0;    ///< bytes the tree's write syscalls accepted (wchar)
  std::int64_t ctx_voluntary = 0;     ///< voluntary context switches of the tree (waits)
  std::int64_t ctx_involuntary = 0;   ///< involuntary context switches of the tree (preemptions)
  std::int64_t faults_major = 0;      ///< page faults of the tree that needed I/O
  std::int64_t faults_minor = 0;      ///< page faults of the tree served without I/O
  std::int64_t leaked_processes = 0;  ///< processes still running when the command exited (stopped)
  std::int64_t threads_max = 0;       ///< most threads of the tree in one sample; 0: no sample taken
  std::int64_t instructions = 0;      ///< instructions the tree executed (COUNT instructions); 0: not counted
  std::optional<limit_kind> limit;    ///< the limit that stopped the run; none: it ended by itself
  double limit_observed = 0;          ///< with `limit`: the value that passed it (base unit; 0: unknown)
  std::vector<memory_point> memory_timeline;  ///< sampled tree memory, at most 256 points
  /// What the command reported through the metric channel, by name; empty when nothing.
  std::map<std::string, reported_values> reported;

  /// True when the run exited non-zero or was killed by a signal on its own (a run stopped
  /// by a limit is not "failed": see stopped_by_limit).
  bool failed() const { return !limit && (signal.has_value() || exit_code.value_or(0) != 0); }

  /// True when a limit stopped the run.
  bool stopped_by_limit() const { return limit.has_value(); }

  bool operator==(const run_sample&) const = default;
};

/// What makes `s` unusable as a measured run read from a file, or "" when nothing: a wall time
/// of 0 (no launch takes no time, and one such run makes every regression gate against it
/// undecidable). Baseline files and history imports reject such runs where they are read.
std::string measured_run_problem(const run_sample& s);

/// "SIGSEGV" for 11, "SIG42" for a number without a name.
std::string signal_name(int signal);

/// The number of a signal named "SIGSEGV" or "SEGV", or nullopt.
std::optional<int> signal_from_name(std::string_view name);

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const run_sample& s);
boost::json::result<run_sample> tag_invoke(boost::json::try_value_to_tag<run_sample>,
                                           const boost::json::value& in);

}  // namespace perfcheck
