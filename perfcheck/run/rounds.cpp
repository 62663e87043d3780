// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/rounds.hpp"

#include <algorithm>
#include <map>
#include <string>

#include <fmt/format.h>

#include "perfcheck/run/soak.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::run {
namespace {

bool is_error(const run_sample& s) { return s.failed() || s.stopped_by_limit(); }

}  // namespace

metric_summary whole_level(double value, std::size_t n) {
  metric_summary s;
  s.n = n;
  s.min = s.max = s.mean = s.median = s.p90 = s.p95 = s.p99 = s.ci_low = s.ci_high = value;
  return s;
}

round_figures figures_of(const exec::round_report& round) {
  round_figures f;
  f.wall_ns = round.wall_ns;
  f.rss_total_bytes = round.rss_total_bytes;
  f.threads = round.threads_total;
  f.copies = static_cast<int>(round.copies.size());
  f.leaked = round.leaked_processes;
  f.leaked_total = round.leaked_processes;
  for (const auto& copy : round.copies) f.leaked_total += copy.sample.leaked_processes;
  f.completed = static_cast<int>(std::count_if(round.copies.begin(), round.copies.end(),
                                               [](const exec::run_report& r) { return !is_error(r.sample); }));
  return f;
}

double throughput_of(const round_figures& round) {
  return round.wall_ns > 0 ? round.completed / (static_cast<double>(round.wall_ns) / 1e9) : 0.0;
}

double median_throughput_of(const std::vector<round_figures>& rounds) {
  if (rounds.empty()) return 0.0;
  std::vector<double> values;
  for (const auto& r : rounds) values.push_back(throughput_of(r));
  return stats::median(values);
}

bool round_ends_test(const exec::round_report& round, bool allow_failures) {
  if (allow_failures) return false;
  return std::any_of(round.copies.begin(), round.copies.end(),
                     [](const exec::run_report& r) { return is_error(r.sample); });
}

void summarize_rounds(run_result& result, const std::vector<round_figures>& rounds) {
  if (rounds.empty()) return;
  std::vector<double> throughput, rss_total, leaked_total;
  std::int64_t leaked = 0;
  for (const auto& r : rounds) {
    throughput.push_back(throughput_of(r));
    rss_total.push_back(static_cast<double>(r.rss_total_bytes));
    leaked_total.push_back(static_cast<double>(r.leaked_total));
    leaked += r.leaked;
  }
  if (leaked > 0) {
    result.warnings.push_back(fmt::format("rounds left {} process{} running after every copy had exited; perfcheck "
                                          "stopped them", leaked, leaked == 1 ? "" : "es"));
  }
  result.summary["throughput"] = stats::summarize(throughput);
  result.summary["rss.total"] = stats::summarize(rss_total);
  // Per round, not per copy: processes a copy left that were reparented belong to no copy, and
  // a gate 'leaked.processes == 0' must see them.
  result.summary["leaked.processes"] = stats::summarize(leaked_total);
  const auto errors = static_cast<double>(std::count_if(result.runs.begin(), result.runs.end(), is_error));
  const std::size_t copies = result.runs.size();
  result.summary["errors.count"] = whole_level(errors, copies);
  result.summary["errors.rate"] = whole_level(copies > 0 ? errors / static_cast<double>(copies) : 0.0, copies);
}

void add_efficiency(run_result& result, const std::vector<round_figures>& rounds, double reference) {
  if (reference <= 0 || rounds.empty()) return;
  std::vector<double> efficiency;
  for (const auto& r : rounds) efficiency.push_back(throughput_of(r) / (r.copies * reference));
  result.summary["efficiency"] = stats::summarize(efficiency);
}

round_outcome measure_round(exec::executor& executor, const test_plan& plan, output_keeper& output,
                            run_result& result, const round_progress& progress) {
  exec::round_report round = executor.run_round(output.capture(), plan.copies);
  if (progress.metrics != nullptr) {
    for (auto& copy : round.copies) progress.metrics->take(copy.metrics_path, progress.warmup, progress.index, copy.sample);
  }
  round_outcome out;
  out.ends_test = round_ends_test(round, plan.spec.allow_failures);
  out.figures = figures_of(round);
  exec::run_report kept;
  const auto failed = std::find_if(round.copies.begin(), round.copies.end(),
                                   [](const exec::run_report& r) { return is_error(r.sample); });
  if (!round.copies.empty()) kept.sample = (failed != round.copies.end() ? *failed : round.copies.back()).sample;
  kept.stdout_bytes = round.stdout_bytes;
  kept.stderr_bytes = round.stderr_bytes;
  kept.output_truncated = round.output_truncated;
  output.keep(kept, result);
  if (progress.listener) {
    kept.sample.wall_ns = round.wall_ns;
    progress.listener->run_finished(progress.warmup, progress.index, progress.planned, kept.sample);
  }
  for (auto& copy : round.copies) out.samples.push_back(std::move(copy.sample));
  return out;
}

void analyze_round_soak(run_result& result, const std::vector<round_figures>& rounds) {
  // A round as one run of the soak: the figures of the whole round, the trends as a plain soak's.
  run_result per_round;
  std::size_t first = 0;
  for (const auto& r : rounds) {
    run_sample s;
    s.wall_ns = r.wall_ns;
    s.rss_tree_bytes = r.rss_total_bytes;
    s.threads_max = r.threads;
    if (first < result.runs.size()) s.reported = result.runs[first].reported;
    first += static_cast<std::size_t>(r.copies);
    per_round.runs.push_back(std::move(s));
  }
  analyze_soak(per_round, false, "rounds");
  result.trends = std::move(per_round.trends);
  for (auto& w : per_round.warnings) result.warnings.push_back(std::move(w));
}

void note_limited_copies(run_result& result) {
  std::map<std::string, int> by_limit;
  for (const auto* runs : {&result.warmup_runs, &result.runs})
    for (const auto& s : *runs)
      if (s.limit) ++by_limit[to_string(*s.limit)];
  if (by_limit.empty()) return;
  std::string list;
  for (const auto& [limit, count] : by_limit) list += fmt::format("{}{} {}", list.empty() ? "" : ", ", count, limit);
  result.warnings.push_back(fmt::format("copies stopped by a limit ({}) are counted as errors (errors.count, "
                                        "errors.rate) because failures are allowed; gate them, e.g. 'errors.rate < 1%'",
                                        list));
}

}  // namespace perfcheck::run
