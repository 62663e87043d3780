// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Running the measured command: the interface, so that the run loop can be tested with a
// fake, and the real implementation's options.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/model/sample.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::exec {

/// Where one run's stdout and stderr go.
struct output_capture {
  bool pass_through = false;          ///< inherit perfcheck's stdout/stderr
  std::filesystem::path stdout_path;  ///< when not passing through: file to write; empty: the
  std::filesystem::path stderr_path;  ///< stream is counted and dropped. Both empty: both go
                                      ///< to /dev/null, uncounted (cheapest for short runs)
  std::int64_t limit_bytes = 1 << 20; ///< per stream; the rest is counted and dropped, and a
                                      ///< note saying so ends the file
};

/// Kernel counters of one run (getrusage of every process of the run's tree), beyond what
/// run_sample holds (it repeats the faults and switches). All zero when the executor cannot
/// tell (fakes).
struct process_counters {
  std::int64_t minor_faults = 0;          ///< page faults served without I/O (ru_minflt)
  std::int64_t major_faults = 0;          ///< page faults that needed I/O (ru_majflt)
  std::int64_t voluntary_switches = 0;    ///< context switches while waiting (ru_nvcsw)
  std::int64_t involuntary_switches = 0;  ///< preemptions (ru_nivcsw)
  std::int64_t blocks_in = 0;             ///< file system reads, 512-byte blocks (ru_inblock)
  std::int64_t blocks_out = 0;            ///< file system writes, 512-byte blocks (ru_oublock)

  bool operator==(const process_counters&) const = default;
};

/// What one run produced besides the sample.
struct run_report {
  run_sample sample;
  std::int64_t stdout_bytes = 0;  ///< bytes the command wrote, kept or not (0: passed through)
  std::int64_t stderr_bytes = 0;  ///< likewise for stderr
  bool output_truncated = false;  ///< some output passed the limit and was dropped from a file
  process_counters counters;      ///< faults, context switches, block I/O
  /// The run's metric-channel file (PERFCHECK_METRICS, docs/metrics.md), for the caller to read
  /// and remove. Empty: the run had no channel, or the file does not exist (the command wrote
  /// nothing), so a run that reports nothing costs the caller no lookup.
  std::filesystem::path metrics_path;
};

/// What one round of concurrent copies produced (executor::run_round).
struct round_report {
  std::vector<run_report> copies;   ///< one per copy, in instance order (0..N-1); their output
                                    ///< byte counts are 0: the copies share the output
  std::int64_t wall_ns = 0;         ///< from the first copy's start to the last copy's end
  /// Peak summed RSS of every process of the round at once (sampled); without a sample (a
  /// round shorter than the sampling interval), the sum of the copies' peaks, an upper bound.
  std::int64_t rss_total_bytes = 0;
  /// Most threads of every process of the round at once (sampled); 0 when never sampled.
  std::int64_t threads_total = 0;
  std::int64_t leaked_processes = 0;  ///< processes still running once every copy had exited
  std::int64_t stdout_bytes = 0;    ///< bytes the copies wrote together, kept or not
  std::int64_t stderr_bytes = 0;    ///< likewise for stderr
  bool output_truncated = false;    ///< some output passed the limit and was dropped from a file
};

/// Runs one fixed command repeatedly. Implementations: process_executor (real processes),
/// and the fakes in the tests.
class executor {
 public:
  virtual ~executor() = default;
  /// Runs the command once and reports what it cost. A command that cannot be started
  /// throws command_error ("command not found: NAME", "cannot execute PATH: REASON").
  virtual run_report run(const output_capture& capture) = 0;
  /// Promises that, unless the next run() ends the test (a limit stops it, or it fails and
  /// `failures_allowed` is false), run() is called again right after it with the same
  /// capture. Applies to the next run() only. An executor may then start that following run as
  /// soon as the next one ends (process_executor pipelines it); one it started in vain is
  /// never reported and leaves no process behind. Default: ignored.
  virtual void expect_follow_up(bool failures_allowed) { (void)failures_allowed; }
  /// Runs `copies` (>= 1) copies of the command at once, copy i with `{instance}` replaced by i
  /// in its arguments and environment values and PERFCHECK_INSTANCE=i in its environment; the
  /// copies share `capture`. Returns when every copy and every process they started is gone.
  /// Default (fakes): `copies` run() calls, wall_ns their longest, rss_total_bytes the sum of
  /// their tree peaks, threads_total the sum of their most threads, the output counts the sum
  /// of theirs.
  virtual round_report run_round(const output_capture& capture, int copies) {
    round_report round;
    for (int i = 0; i < copies; ++i) {
      run_report r = run(capture);
      round.wall_ns = std::max(round.wall_ns, r.sample.wall_ns);
      round.rss_total_bytes += std::max(r.sample.rss_tree_bytes, r.sample.max_rss_bytes);
      round.threads_total += r.sample.threads_max;
      round.stdout_bytes += std::exchange(r.stdout_bytes, 0);
      round.stderr_bytes += std::exchange(r.stderr_bytes, 0);
      round.output_truncated = round.output_truncated || r.output_truncated;
      round.copies.push_back(std::move(r));
    }
    return round;
  }
};

/// The command and its surroundings for process_executor.
struct command_line {
  /// No command yet.
  command_line() = default;
  /// The program and arguments, where it runs and what it adds to the environment; the other
  /// settings keep their defaults (set them afterwards).
  command_line(std::vector<std::string> argv_, std::filesystem::path working_directory_ = {},
               std::vector<std::string> extra_environment_ = {})
      : argv(std::move(argv_)),
        working_directory(std::move(working_directory_)),
        extra_environment(std::move(extra_environment_)) {}

  std::vector<std::string> argv;              ///< argv[0] is looked up in PATH unless it has a '/'
  std::filesystem::path working_directory;    ///< empty: perfcheck's own
  std::vector<std::string> extra_environment; ///< "VAR=value", on top of the inherited one
  resource_limits limits;                     ///< per run; 0 fields: no limit
  /// Period of the process-tree sampler (peak tree RSS, memory timeline, the sampled limits);
  /// 0: off, except that MEMORY, CPU_TIME, PROCESSES and OPEN_FILES turn it on at 10 ms.
  std::int64_t sample_interval_ns = default_sample_interval_ns;
  std::vector<int> cpus;                      ///< pin the command to these CPUs; empty: no pinning
  std::optional<int> nice;                    ///< the command's nice value; none: inherited
  bool clean_environment = false;             ///< inherit only PATH, then extra_environment
  bool no_aslr = false;                       ///< personality(ADDR_NO_RANDOMIZE) for the command
  /// Give every run its own metric-channel file: PERFCHECK_METRICS=<private folder>/run.<n>
  /// (run_report::metrics_path); the folder is removed with the executor.
  bool metric_channel = false;
};

}  // namespace perfcheck::exec
