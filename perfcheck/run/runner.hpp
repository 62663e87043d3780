// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// One performance test from plan to verdict: warm up, measure until the plan is met,
// summarize, gate. Writes nothing but the command's captured output.
#pragma once

#include <cstdint>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::run {

/// Told about every finished run, for progress display.
class progress_listener {
 public:
  virtual ~progress_listener() = default;
  /// `index` counts from 1 within its kind; `planned` is the warm-up count or the minimum
  /// number of measured runs.
  virtual void run_finished(bool warmup, int index, int planned, const run_sample& sample) = 0;
};

/// How to run, beyond the spec.
struct runner_options {
  std::int64_t overhead_ns = 0;     ///< measured launch overhead, recorded in the result
  bool subtract_overhead = false;   ///< subtract it from every wall time (clamped at 0)
  progress_listener* progress = nullptr;
};

/// Where run_test keeps the command's output: `<output_dir>/<stem>.stdout|.stderr` for the last
/// run, `<stem>.failed.stdout|.stderr` for the first failed run. Empty paths without an
/// output_dir (output discarded) or with show_output (passed through).
struct output_files {
  std::filesystem::path last_stdout, last_stderr, failed_stdout, failed_stderr;
};

/// The output file names for a spec.
output_files output_files_for(const run_spec& spec);

/// Where the result JSON goes: spec.result_file, else <output_dir>/<stem>.json, else empty.
std::filesystem::path result_path_for(const run_spec& spec);

/// Runs the plan: `spec.warmup` unmeasured runs, then measured runs until at least
/// `min_runs` are done and their wall time adds up to `min_time_ns`, or `max_runs` are done.
/// Stops at the first failed run unless `allow_failures`. Thresholds are parsed first, so a
/// bad one throws usage_error before anything runs. command_error from the executor passes
/// through.
run_result run_test(const run_spec& spec, exec::executor& executor, const runner_options& options);

/// Fills result.summary (wall, user, sys, cpu, rss), result.wall_outliers and the wall-time
/// warnings from result.runs and result.warmup_runs.
void summarize_runs(run_result& result);

}  // namespace perfcheck::run
