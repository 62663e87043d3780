// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Where the command's captured output and the result file go, and keeping each run's output
// under its final name.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::run {

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

/// Captures every run's output into temporary files (atomic_file.hpp's names, removed with the
/// keeper and on SIGINT/SIGTERM) and keeps it: the last run's as `last_*`, the first failed (or
/// limit-stopped) run's as `failed_*`. A failure to rename loses only that run's output, never
/// the measurement.
class output_keeper {
 public:
  /// Creates the output folder when output is kept (and sweeps stale temp files from it);
  /// throws std::filesystem_error when it cannot.
  explicit output_keeper(const run_spec& spec);
  /// The capture to pass to the executor for every candidate run.
  const exec::output_capture& capture() const { return capture_; }
  /// Keeps the output of the run just reported, and adds one warning (once) to `result` when
  /// output passed the limit.
  void keep(const exec::run_report& report, run_result& result);

 private:
  output_files files_;
  exec::output_capture capture_;
  std::vector<std::unique_ptr<temp_file_guard>> temps_;  // the capture files: stdout, stderr
  std::int64_t limit_bytes_ = 0;
  bool kept_failure_ = false;
};

}  // namespace perfcheck::run
