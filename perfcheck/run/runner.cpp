// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/runner.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "perfcheck/stats/diagnostics.hpp"

namespace perfcheck::run {
namespace {

// Keeps the captured output of one run under its final name; a failure to rename loses only
// that run's output, never the measurement.
void keep(const std::filesystem::path& from, const std::filesystem::path& to) {
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

void summarize_runs(run_result& result) {
  const auto& runs = result.runs;
  const auto columns = metric_columns(runs);
  for (const auto& [metric, values] : columns) result.summary[metric] = stats::summarize(values);
  const auto& wall = columns.at("wall");
  result.wall_outliers = stats::outliers_modified_z(wall);
  if (wall.empty()) return;
  const bool first_was_warmup = !result.warmup_runs.empty();
  const double first = double(first_was_warmup ? result.warmup_runs.front().wall_ns : runs.front().wall_ns);
  for (auto& w : stats::wall_time_warnings(wall, first, first_was_warmup, double(result.overhead_ns))) {
    result.warnings.push_back(std::move(w));
  }
}

run_result run_test(const run_spec& spec, exec::executor& executor, const runner_options& options) {
  const auto thresholds = gate::parse_thresholds(spec.thresholds, "threshold");

  run_result result;
  result.name = spec.name;
  result.command = spec.command;
  result.overhead_ns = options.overhead_ns;
  result.overhead_corrected = options.subtract_overhead;
  result.environment = collect_environment();
  result.context.machine = machine_fingerprint(result.environment);
  result.context.spec_hash = spec_hash(spec);
  result.started_at = rfc3339(std::chrono::system_clock::now());

  const output_files files = output_files_for(spec);
  exec::output_capture capture;
  capture.pass_through = spec.show_output;
  capture.limit_bytes = spec.output_limit_bytes;
  if (!files.last_stdout.empty()) {
    std::filesystem::create_directories(spec.output_dir);
    capture.stdout_path = files.last_stdout.string() + ".tmp";
    capture.stderr_path = files.last_stderr.string() + ".tmp";
  }
  bool kept_failure = false;

  auto one_run = [&](bool warmup, int index, int planned) -> run_sample {
    exec::run_report report = executor.run(capture);
    run_sample& s = report.sample;
    if (options.subtract_overhead) s.wall_ns = std::max<std::int64_t>(0, s.wall_ns - options.overhead_ns);
    if (s.failed() && !kept_failure) {
      keep(capture.stdout_path, files.failed_stdout);
      keep(capture.stderr_path, files.failed_stderr);
      kept_failure = true;
    } else {
      keep(capture.stdout_path, files.last_stdout);
      keep(capture.stderr_path, files.last_stderr);
    }
    if (report.output_truncated) {
      const std::string note = fmt::format(
          "output was truncated at {} bytes per stream (the command wrote {} bytes to stdout, "
          "{} to stderr); raise the output limit to keep more",
          spec.output_limit_bytes, report.stdout_bytes, report.stderr_bytes);
      if (std::find(result.warnings.begin(), result.warnings.end(), note) == result.warnings.end()) {
        result.warnings.push_back(note);
      }
    }
    if (options.progress) options.progress->run_finished(warmup, index, planned, s);
    return s;
  };

  bool stop = false;
  for (int i = 1; i <= spec.warmup && !stop; ++i) {
    result.warmup_runs.push_back(one_run(true, i, spec.warmup));
    stop = result.warmup_runs.back().failed() && !spec.allow_failures;
  }
  std::int64_t measured_ns = 0;
  while (!stop) {
    const int done = static_cast<int>(result.runs.size());
    const bool plan_met = done >= spec.min_runs && measured_ns >= spec.min_time_ns;
    if (plan_met || done >= spec.max_runs) break;
    result.runs.push_back(one_run(false, done + 1, spec.min_runs));
    measured_ns += result.runs.back().wall_ns;
    stop = result.runs.back().failed() && !spec.allow_failures;
  }
  result.finished_at = rfc3339(std::chrono::system_clock::now());

  summarize_runs(result);
  gate::apply_verdict(result, thresholds, spec.allow_failures);
  if (spec.min_time_ns > 0 && measured_ns < spec.min_time_ns && result.outcome != verdict::error) {
    result.warnings.push_back(fmt::format(
        "stopped at the maximum of {} runs after {} of measured time, short of the minimum {}",
        spec.max_runs, format_duration(double(measured_ns)), format_duration(double(spec.min_time_ns))));
  }
  return result;
}

}  // namespace perfcheck::run
