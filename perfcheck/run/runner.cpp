// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/runner.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <system_error>

#include <fmt/format.h>

#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/stats/compare.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "perfcheck/stats/diagnostics.hpp"
#include "perfcheck/stats/trend.hpp"

namespace perfcheck::run {
namespace {

// Keeps the captured output of one run under its final name; a failure to rename loses only
// that run's output, never the measurement.
void keep(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (from.empty()) return;
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
}

// Soak analysis (docs/limits.md): a trend is "significant" below this Mann-Kendall p-value.
constexpr double trend_alpha = 0.05;
// With `once`, the first fifth of the run is start-up (loading, caches, pools), not growth.
constexpr double once_warmup_fraction = 0.2;
// Fewer points say nothing about a trend; more than this are binned (Theil-Sen is O(n^2)).
constexpr std::size_t min_trend_points = 8;
constexpr std::size_t max_trend_points = 500;
// Warn when the 1-minute load average passes this share of the CPUs.
constexpr double busy_load_per_cpu = 0.75;

// Whether the test stops after this run: a limit always stops it (a timeout on every run of
// a 30-run test must not take 30 timeouts), a failure unless failures are allowed.
bool ends_test(const run_sample& s, bool allow_failures) {
  return s.stopped_by_limit() || (s.failed() && !allow_failures);
}

// The plan with a soak folded in: `once` is one measured run without warm-up; a duration
// keeps measuring until that much run time, up to max_run_count, whatever the runs say.
run_spec with_soak(const run_spec& spec) {
  run_spec plan = spec;
  if (spec.once) {
    plan.warmup = 0;
    plan.min_runs = plan.max_runs = 1;
    plan.min_time_ns = 0;
  } else if (spec.duration_ns > 0) {
    plan.min_runs = 1;  // the duration decides, as documented: runs give way
    plan.min_time_ns = spec.duration_ns;
    plan.max_runs = max_run_count;
  }
  return plan;
}

// Medians of consecutive groups, so that at most max_trend_points remain.
void bin_series(std::vector<double>& x, std::vector<double>& y) {
  if (y.size() <= max_trend_points) return;
  const std::size_t groups = max_trend_points;
  std::vector<double> bx, by;
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t begin = g * y.size() / groups, end = (g + 1) * y.size() / groups;
    if (end <= begin) continue;
    bx.push_back(stats::median(std::vector<double>(x.begin() + long(begin), x.begin() + long(end))));
    by.push_back(stats::median(std::vector<double>(y.begin() + long(begin), y.begin() + long(end))));
  }
  x = std::move(bx);
  y = std::move(by);
}

}  // namespace

trend_outcome fit_trend(std::vector<double> x_ns, std::vector<double> y) {
  trend_outcome t;
  bin_series(x_ns, y);
  t.n = y.size();
  if (y.size() < 2) return t;
  std::vector<double> x_s(x_ns.size());
  for (std::size_t i = 0; i < x_ns.size(); ++i) x_s[i] = (x_ns[i] - x_ns.front()) / 1e9;
  const auto line = stats::theil_sen(x_s, y, 0.95);
  const auto mk = stats::mann_kendall(y, trend_alpha);
  t.slope = line.slope;
  t.slope_low = line.slope_low;
  t.slope_high = line.slope_high;
  t.start = line.intercept;
  t.end = line.intercept + line.slope * x_s.back();
  t.change = t.start > 0 ? (t.end - t.start) / t.start : 0;
  t.p_value = mk.p_value;
  t.tau = mk.tau;
  t.significant = mk.trend != 0;
  t.window_ns = static_cast<std::int64_t>(x_ns.back() - x_ns.front());
  return t;
}

void analyze_soak(run_result& result, bool once) {
  if (result.runs.empty()) return;
  if (once) {
    const run_sample& run = result.runs.front();
    const double skip = once_warmup_fraction * double(run.wall_ns);
    std::vector<double> x, y;
    for (const auto& p : run.memory_timeline) {
      if (double(p.t_ns) < skip) continue;
      x.push_back(double(p.t_ns));
      y.push_back(double(p.rss_bytes));
    }
    if (y.size() < min_trend_points) {
      result.warnings.push_back(fmt::format(
          "the run was too short to judge memory growth: {} memory samples after the warm-up (the "
          "first {:.0f}%), {} needed; run longer or sample more often (--sample-interval)",
          y.size(), once_warmup_fraction * 100, min_trend_points));
      return;
    }
    result.trends["rss"] = fit_trend(std::move(x), std::move(y));
    return;
  }
  if (result.runs.size() < min_trend_points) {
    result.warnings.push_back(fmt::format(
        "{} runs are too few to judge a trend across the soak ({} needed); give a longer --duration",
        result.runs.size(), min_trend_points));
    return;
  }
  std::vector<double> x, rss, wall;
  double at = 0;
  for (const auto& r : result.runs) {
    x.push_back(at);
    rss.push_back(double(r.rss_tree_bytes));
    wall.push_back(double(r.wall_ns));
    at += double(r.wall_ns);
  }
  result.trends["rss"] = fit_trend(x, std::move(rss));
  result.trends["wall"] = fit_trend(std::move(x), std::move(wall));
}

std::vector<std::string> machine_warnings(const environment_info& env) {
  std::vector<std::string> out;
  if (env.cpu_count > 0 && env.load_average_1m > busy_load_per_cpu * env.cpu_count) {
    out.push_back(fmt::format(
        "the machine was busy before the test: 1-minute load average {:.2f} on {} CPU{}; other work "
        "competes for the CPUs and makes the figures slower and noisier; run on a quieter machine "
        "(or pin the command with --cpus)",
        env.load_average_1m, env.cpu_count, env.cpu_count == 1 ? "" : "s"));
  }
  if (!env.governor.empty() && env.governor != "performance") {
    out.push_back(fmt::format(
        "the CPU frequency governor is '{}', not 'performance': clock speeds follow the load, so "
        "the figures vary; for steadier ones run 'cpupower frequency-set -g performance'",
        env.governor));
  }
  return out;
}

void note_leaks(run_result& result) {
  std::size_t runs = 0;
  std::int64_t processes = 0;
  for (const auto* list : {&result.warmup_runs, &result.runs}) {
    for (const auto& r : *list) {
      if (r.leaked_processes == 0) continue;
      ++runs;
      processes += r.leaked_processes;
    }
  }
  if (runs == 0) return;
  result.warnings.push_back(fmt::format(
      "{} run{} left processes running after the command exited ({} in all); perfcheck stopped "
      "them. Gate this with 'leaked.processes == 0'",
      runs, runs == 1 ? "" : "s", processes));
}

void apply_regressions(run_result& result, const regression_plan& plan,
                       const gate::regression_options& options, bool fail_on_inconclusive) {
  std::map<std::string, std::vector<double>> measured;  // a baseline command's runs, here
  if (plan.baseline_executor && result.baseline) measured = metric_columns(result.baseline->samples);
  const auto& base = plan.baseline_executor && result.baseline ? measured : plan.baseline_columns;
  const std::size_t baseline_runs = base.empty() ? 0 : base.begin()->second.size();
  if (!result.baseline || baseline_runs == 0) {
    result.warnings.push_back(fmt::format(
        "no baseline yet ({}): the regression rules were not checked", plan.baseline.kind));
    return;
  }
  result.baseline->runs = baseline_runs;
  if (!gate::rules_can_reach(result.baseline->runs, result.runs.size(), plan.rules.size(), options.alpha)) {
    result.warnings.push_back(fmt::format(
        "the regression rules were not checked: {} baseline and {} candidate runs can never reach "
        "significance at alpha {:.3g} (split over the planned looks); measure at least {} runs",
        result.baseline->runs, result.runs.size(), options.alpha,
        stats::min_sample_size(options.alpha / static_cast<double>(plan.rules.size()))));
    return;
  }
  result.regressions = gate::evaluate_regressions(plan.rules, base, metric_columns(result.runs), options);
  const verdict v = gate::combine(result.regressions);
  for (const auto& f : result.regressions) {
    if (f.decision == verdict::regressed || f.decision == verdict::inconclusive) result.reasons.push_back(f.reason);
  }
  if (result.outcome == verdict::pass) result.outcome = v;
  if (v == verdict::inconclusive && !fail_on_inconclusive) {
    result.warnings.push_back("the regression verdict is inconclusive (allowed: ON_INCONCLUSIVE pass); "
                              "more runs (a higher RUNS maximum) or a quieter machine can decide it");
  }
}

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

run_result run_test(const run_spec& requested, exec::executor& executor, const runner_options& options) {
  const run_spec spec = with_soak(requested);
  const auto thresholds = gate::parse_thresholds(spec.thresholds, "threshold");

  run_result result;
  result.name = spec.name;
  result.command = spec.command;
  result.overhead_ns = options.overhead_ns;
  result.overhead_corrected = options.subtract_overhead;
  result.environment = collect_environment();
  result.warnings = machine_warnings(result.environment);
  result.limits = spec.limits;
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
    if ((s.failed() || s.stopped_by_limit()) && !kept_failure) {
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

  const regression_plan* plan = options.regression;
  exec::executor* baseline_executor = plan ? plan->baseline_executor : nullptr;
  exec::output_capture discard;  // the baseline's output is not kept
  std::mt19937_64 coin(plan && plan->seed != 0 ? plan->seed : std::random_device{}());
  if (plan) result.baseline = plan->baseline;

  // Looks at min_runs, then doubling, and at max_runs; alpha is split over them.
  std::vector<int> looks;
  for (int n = spec.min_runs; n < spec.max_runs; n *= 2) looks.push_back(n);
  looks.push_back(spec.max_runs);
  gate::regression_options look_options = plan ? plan->options : gate::regression_options{};
  look_options.alpha /= static_cast<double>(looks.size());

  auto decided = [&]() -> bool {  // true when the rules need no more runs
    std::map<std::string, std::vector<double>> measured;  // a baseline command's runs so far
    if (baseline_executor) measured = metric_columns(result.baseline->samples);
    const auto& base = baseline_executor ? measured : plan->baseline_columns;
    const std::size_t nb = base.empty() ? 0 : base.begin()->second.size();
    const std::size_t rules_n = plan->rules.size();
    // A fixed baseline (history, file) that is empty, or too small for any number of runs up to
    // max_runs to reach alpha: more runs cannot decide anything.
    if (!baseline_executor &&
        !gate::rules_can_reach(nb, static_cast<std::size_t>(spec.max_runs), rules_n, look_options.alpha))
      return true;
    if (!gate::rules_can_reach(nb, result.runs.size(), rules_n, look_options.alpha)) return false;
    const auto findings = gate::evaluate_regressions(plan->rules, base, metric_columns(result.runs), look_options);
    return gate::combine(findings) != verdict::inconclusive;
  };

  bool stop = false;
  for (int i = 1; i <= spec.warmup && !stop; ++i) {
    result.warmup_runs.push_back(one_run(true, i, spec.warmup));
    stop = ends_test(result.warmup_runs.back(), spec.allow_failures);
    if (baseline_executor && !stop) baseline_executor->run(discard);
  }
  std::int64_t measured_ns = 0;
  std::size_t next_look = 0;
  while (!stop) {
    const int done = static_cast<int>(result.runs.size());
    if (done >= spec.max_runs) break;
    const bool plan_met = done >= spec.min_runs && measured_ns >= spec.min_time_ns;
    if (plan_met) {
      if (!plan || plan->rules.empty() || !result.baseline) break;
      while (next_look < looks.size() && looks[next_look] < done) ++next_look;
      if (next_look < looks.size() && looks[next_look] == done) {
        ++next_look;
        if (decided()) break;
      }
    }
    const bool baseline_first = baseline_executor && (coin() & 1) != 0;
    if (baseline_first) {
      result.baseline->samples.push_back(baseline_executor->run(discard).sample);
      result.baseline->order += 'A';
    }
    result.runs.push_back(one_run(false, done + 1, spec.min_runs));
    measured_ns += result.runs.back().wall_ns;
    if (baseline_executor) result.baseline->order += 'B';
    stop = ends_test(result.runs.back(), spec.allow_failures);
    if (baseline_executor && !baseline_first && !stop) {
      result.baseline->samples.push_back(baseline_executor->run(discard).sample);
      result.baseline->order += 'A';
    }
  }
  result.finished_at = rfc3339(std::chrono::system_clock::now());

  summarize_runs(result);
  if (spec.once || spec.duration_ns > 0) analyze_soak(result, spec.once);
  note_leaks(result);
  gate::apply_verdict(result, thresholds, spec.allow_failures);
  if (spec.min_time_ns > 0 && measured_ns < spec.min_time_ns && result.outcome != verdict::error && !stop) {
    result.warnings.push_back(fmt::format(
        "stopped at the maximum of {} runs after {} of measured time, short of the minimum {}",
        spec.max_runs, format_duration(double(measured_ns)), format_duration(double(spec.min_time_ns))));
  }
  if (plan && !plan->rules.empty() && result.outcome != verdict::error) {
    apply_regressions(result, *plan, look_options, spec.fail_on_inconclusive);
  }
  return result;
}

}  // namespace perfcheck::run
