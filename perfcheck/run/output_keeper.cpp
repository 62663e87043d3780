// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/output_keeper.hpp"

#include <unistd.h>

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "perfcheck/run/environment.hpp"
#include "perfcheck/run/wrk_intake.hpp"

namespace perfcheck::run {
namespace {

// Keeps the captured output of one run under its final name; a failure to rename loses only
// that run's output, never the measurement.
void rename_kept(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (from.empty()) return;
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
}

}  // namespace

output_files output_files_for(const run_spec& spec) {
  if (spec.output_dir.empty() || spec.show_output) return {};
  const std::filesystem::path dir = spec.output_dir;
  const std::string stem = safe_file_stem(spec.name);
  return {dir / (stem + ".stdout"), dir / (stem + ".stderr"), dir / (stem + ".failed.stdout"),
          dir / (stem + ".failed.stderr")};
}

std::filesystem::path result_path_for(const run_spec& spec) {
  if (!spec.result_file.empty()) return spec.result_file;
  if (spec.output_dir.empty()) return {};
  return std::filesystem::path(spec.output_dir) / (safe_file_stem(spec.name) + ".json");
}

output_keeper::output_keeper(const run_spec& spec)
    : files_(output_files_for(spec)), limit_bytes_(spec.output_limit_bytes) {
  capture_.pass_through = spec.show_output;
  capture_.limit_bytes = spec.output_limit_bytes;
  if (!files_.last_stdout.empty()) {
    std::filesystem::create_directories(spec.output_dir);
    sweep_stale_temp_files(spec.output_dir);
    temps_.emplace_back(std::make_unique<temp_file_guard>(temp_path_for(files_.last_stdout, ::getpid())));
    temps_.emplace_back(std::make_unique<temp_file_guard>(temp_path_for(files_.last_stderr, ::getpid())));
    capture_.stdout_path = temps_[0]->path();
    capture_.stderr_path = temps_[1]->path();
  } else if (spec.client == wrk_client && !spec.show_output) {
    // perfcheck reads a wrk client's stdout after every run (run/wrk_intake), kept or not.
    const auto name = "perfcheck-wrk-" + safe_file_stem(spec.name) + ".stdout";
    temps_.emplace_back(std::make_unique<temp_file_guard>(
        temp_path_for(std::filesystem::temp_directory_path() / name, ::getpid())));
    capture_.stdout_path = temps_[0]->path();
  }
}

void output_keeper::keep(const exec::run_report& report, run_result& result) {
  const run_sample& s = report.sample;
  if ((s.failed() || s.stopped_by_limit()) && !kept_failure_) {
    rename_kept(capture_.stdout_path, files_.failed_stdout);
    rename_kept(capture_.stderr_path, files_.failed_stderr);
    kept_failure_ = true;
  } else {
    rename_kept(capture_.stdout_path, files_.last_stdout);
    rename_kept(capture_.stderr_path, files_.last_stderr);
  }
  if (!report.output_truncated) return;
  const std::string note = fmt::format(
      "output was truncated at {} bytes per stream (the command wrote {} bytes to stdout, "
      "{} to stderr); raise the output limit to keep more",
      limit_bytes_, report.stdout_bytes, report.stderr_bytes);
  if (std::find(result.warnings.begin(), result.warnings.end(), note) == result.warnings.end()) {
    result.warnings.push_back(note);
  }
}

}  // namespace perfcheck::run
