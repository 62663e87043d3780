// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/runner.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/model/reported_metrics.hpp"
#include "perfcheck/run/counting.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/run/interleaver.hpp"
#include "perfcheck/run/rounds.hpp"
#include "perfcheck/run/server_watch.hpp"
#include "perfcheck/run/wrk_intake.hpp"
#include "perfcheck/stats/compare.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "perfcheck/stats/diagnostics.hpp"

namespace perfcheck::run {
namespace {

// Whether the test stops after this run: a limit always stops it (a timeout on every run of
// a 30-run test must not take 30 timeouts), a failure unless failures are allowed.
bool ends_test(const run_sample& s, bool allow_failures) {
  return s.stopped_by_limit() || (s.failed() && !allow_failures);
}

// The baseline's values per metric: a baseline command's runs measured so far, else the
// history or file baseline of the plan.
std::map<std::string, std::vector<double>> baseline_columns(const regression_plan& plan,
                                                            const run_result& result) {
  if (plan.baseline_executor && result.baseline) return metric_columns(result.baseline->samples);
  return plan.baseline_columns;
}

// Whether the rules need no more runs at this look: decided, or a fixed baseline (history,
// file) that is empty or too small for any number of runs up to max_runs to reach alpha.
bool rules_decided(const regression_plan& plan, const run_result& result, int max_runs,
                   const gate::regression_options& look_options) {
  const auto base = baseline_columns(plan, result);
  const std::size_t nb = base.empty() ? 0 : base.begin()->second.size();
  if (!plan.baseline_executor &&
      !gate::rules_can_reach(plan.rules, nb, static_cast<std::size_t>(max_runs), look_options.alpha))
    return true;
  if (!gate::rules_can_reach(plan.rules, nb, result.runs.size(), look_options.alpha)) return false;
  const auto findings = gate::evaluate_regressions(plan.rules, base, metric_columns(result.runs), look_options);
  return gate::combine(findings) != verdict::inconclusive;
}

}  // namespace

namespace detail {

// One test's measurement from the first warm-up to the verdict.
class measurement {
 public:
  measurement(const test_plan& plan, exec::executor& executor, const runner_options& options)
      : plan_(plan), executor_(executor), options_(options), rules_(options.regression),
        output_(plan.spec), pairs_(rules_, result_), looks_(planned_looks(plan.schedule)) {
    look_options_ = rules_ ? rules_->options : gate::regression_options{};
    look_options_.alpha /= static_cast<double>(looks_.size());
    look_options_.paired = rules_ != nullptr && rules_->baseline_executor != nullptr;
    if (rules_) result_.baseline = rules_->baseline;
  }

  // Holds references to itself (the interleaver to result_): neither copied nor moved.
  measurement(const measurement&) = delete;
  measurement& operator=(const measurement&) = delete;

  void start();
  /// One run: a warm-up run while the warm-up lasts, else a measured one; none once the plan is
  /// met or a run ended the test.
  point_step step();
  /// Summaries and verdict; the measurement is used up.
  run_result end() {
    result_.finished_at = rfc3339(std::chrono::system_clock::now());
    finish();
    return std::move(result_);
  }
  /// The median throughput of one copy that efficiency compares with (see point_run).
  void set_reference_throughput(double reference) { reference_throughput_ = reference; }
  /// The median throughput of the rounds so far; 0 without rounds.
  double median_throughput() const { return median_throughput_of(rounds_); }

 private:
  point_step step_round();
  bool follow_up_certain(bool warmup, int index) const;
  run_sample one_run(bool warmup, int index, int planned);
  bool plan_met_and_decided(int done);
  void finish();

  const test_plan& plan_;
  exec::executor& executor_;
  const runner_options& options_;
  const regression_plan* rules_;
  run_result result_;
  output_keeper output_;
  metric_intake metrics_;  // the runs' metric channels
  interleaver pairs_;
  std::vector<int> looks_;
  std::size_t next_look_ = 0;
  gate::regression_options look_options_;
  std::int64_t measured_ns_ = 0;
  int warmed_ = 0;        // warm-up runs made
  bool stopped_ = false;  // a run ended the test (failure or limit)
  bool met_ = false;      // the plan is met (and the rules decided): no more runs
  std::vector<round_figures> rounds_;  // a concurrency level's measured rounds
  double reference_throughput_ = 0;    // for efficiency; 0: none
};

void measurement::start() {
  const run_spec& spec = plan_.spec;
  result_.name = spec.name;
  result_.command = spec.command;
  result_.overhead_ns = options_.overhead_ns;
  result_.overhead_corrected = options_.subtract_overhead;
  result_.environment = collect_environment();
  result_.warnings = machine_warnings(result_.environment);
  result_.limits = spec.limits;
  result_.context.machine = machine_fingerprint(result_.environment);
  result_.context.spec_hash = spec_hash(spec);
  result_.started_at = rfc3339(std::chrono::system_clock::now());
}

// Whether another run follows this one for certain unless this one ends the test: a warm-up
// before the last, the last warm-up when measured runs follow, or a measured run short of
// min_runs (the schedule cannot be met before). Never with a baseline command, whose runs come
// in between. The executor may then start that run as soon as this one ends.
bool measurement::follow_up_certain(bool warmup, int index) const {
  if (rules_ && rules_->baseline_executor) return false;
  const auto& schedule = plan_.schedule;
  const int measured = warmup ? 0 : index;
  if (warmup && index < schedule.warmup) return true;
  return measured < schedule.min_runs && measured < schedule.max_runs;
}

run_sample measurement::one_run(bool warmup, int index, int planned) {
  if (follow_up_certain(warmup, index)) executor_.expect_follow_up(plan_.spec.allow_failures);
  exec::run_report report = executor_.run(output_.capture());
  run_sample& s = report.sample;
  metrics_.take(report.metrics_path, warmup, index, s);
  if (options_.subtract_overhead) s.wall_ns = std::max<std::int64_t>(0, s.wall_ns - options_.overhead_ns);
  const auto wrk = wrk_output_of(plan_.spec, s, output_.capture().stdout_path);  // before keep moves it
  output_.keep(report, result_);
  if (wrk) take_wrk_output(*wrk, plan_.spec, warmup, index, s);
  add_server_per_request(s);  // after the client's figures: wrk's or the channel's 'requests'
  if (options_.progress) options_.progress->run_finished(warmup, index, planned, s);
  return s;
}

// Once the runs and time of the schedule are met: true when measuring ends here (no rules, or
// they are decided at this look).
bool measurement::plan_met_and_decided(int done) {
  if (done < plan_.schedule.min_runs || measured_ns_ < plan_.schedule.min_time_ns) return false;
  if (!rules_ || rules_->rules.empty() || !result_.baseline) return true;
  // Nothing to compare with (a first result): more runs cannot decide anything.
  if (!rules_->baseline_executor && baseline_columns(*rules_, result_).empty()) return true;
  // The schedule can be met past a planned look (min_time): the look missed is taken now, so
  // no more than the planned number of looks is ever taken and the alpha split still holds.
  if (next_look_ == looks_.size() || looks_[next_look_] > done) return false;
  while (next_look_ < looks_.size() && looks_[next_look_] <= done) ++next_look_;
  // A concurrency level's schedule counts rounds; its runs are the rounds' copies.
  const int max_runs = plan_.schedule.max_runs * std::max(plan_.copies, 1);
  return rules_decided(*rules_, result_, max_runs, look_options_);
}

// One step of a concurrency level: a warm-up or measured round; RUNS and MIN_TIME count rounds.
point_step measurement::step_round() {
  const auto append = [](std::vector<run_sample>& to, std::vector<run_sample> from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  if (warmed_ < plan_.schedule.warmup) {
    ++warmed_;
    round_outcome round = measure_round(executor_, plan_, output_, result_, {options_.progress, true, warmed_, plan_.schedule.warmup, &metrics_});
    stopped_ = round.ends_test;
    append(result_.warmup_runs, std::move(round.samples));
    if (!stopped_) pairs_.after_warmup(plan_.copies);
    return point_step::warmup;
  }
  const int done = static_cast<int>(rounds_.size());
  met_ = done >= plan_.schedule.max_runs || plan_met_and_decided(done);
  if (met_) return point_step::done;
  stopped_ = pairs_.pair([&] {
    round_outcome round = measure_round(executor_, plan_, output_, result_, {options_.progress, false, done + 1, plan_.schedule.min_runs, &metrics_});
    rounds_.push_back(round.figures);
    measured_ns_ += round.figures.wall_ns;
    append(result_.runs, std::move(round.samples));
    return round.ends_test;
  }, plan_.copies);
  return point_step::measured;
}

point_step measurement::step() {
  if (stopped_ || met_) return point_step::done;
  if (plan_.copies > 0) return step_round();
  if (warmed_ < plan_.schedule.warmup) {
    ++warmed_;
    result_.warmup_runs.push_back(one_run(true, warmed_, plan_.schedule.warmup));
    stopped_ = ends_test(result_.warmup_runs.back(), plan_.spec.allow_failures);
    if (!stopped_) pairs_.after_warmup();
    return point_step::warmup;
  }
  const int done = static_cast<int>(result_.runs.size());
  met_ = done >= plan_.schedule.max_runs || plan_met_and_decided(done);
  if (met_) return point_step::done;
  stopped_ = pairs_.pair([&] {
    result_.runs.push_back(one_run(false, done + 1, plan_.schedule.min_runs));
    measured_ns_ += result_.runs.back().wall_ns;
    return ends_test(result_.runs.back(), plan_.spec.allow_failures);
  });
  return point_step::measured;
}

void measurement::finish() {
  metrics_.finish(result_, plan_.metadata);
  note_counting(result_, plan_.spec);
  summarize_runs(result_);
  if (plan_.spec.client == wrk_client) summarize_wrk_errors(result_);
  if (plan_.copies > 0) {
    summarize_rounds(result_, rounds_);
    add_efficiency(result_, rounds_, reference_throughput_);
  }
  if (plan_.soak != soak_mode::none && plan_.copies > 0) {
    analyze_round_soak(result_, rounds_);  // a concurrency level's soak: a point per round
  } else if (plan_.soak != soak_mode::none) {
    analyze_soak(result_, plan_.soak == soak_mode::once);
  }
  note_leaks(result_);
  gate::apply_verdict(result_, plan_.thresholds, plan_.spec.allow_failures, plan_.copies > 0);
  if (plan_.copies > 0 && plan_.spec.allow_failures) note_limited_copies(result_);
  const auto& schedule = plan_.schedule;
  if (schedule.min_time_ns > 0 && measured_ns_ < schedule.min_time_ns && result_.outcome != verdict::error &&
      !stopped_) {
    result_.warnings.push_back(fmt::format(
        "stopped at the maximum of {} runs after {} of measured time, short of the minimum {}",
        schedule.max_runs, format_duration(double(measured_ns_)), format_duration(double(schedule.min_time_ns))));
  }
  if (rules_ && !rules_->rules.empty() && result_.outcome != verdict::error) {
    apply_regressions(result_, *rules_, look_options_,
                      plan_.on_inconclusive == inconclusive_policy::fail);
  }
  note_skipped_rules(result_, plan_);
}

}  // namespace detail

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
  if (note_not_comparable(result, plan)) return;  // e.g. instructions counted by another source
  const auto base = baseline_columns(plan, result);
  const std::size_t baseline_runs = base.empty() ? 0 : base.begin()->second.size();
  if (!result.baseline || baseline_runs == 0) {
    // A history that was given but holds nothing comparable yet says so, naming the file.
    const bool named_history = plan.baseline.kind == "history" && !plan.baseline.source.starts_with("(");
    result.warnings.push_back(
        named_history ? fmt::format("no baseline yet (history): no comparable results yet in {}; the "
                                    "regression rules were not checked", plan.baseline.source)
                      : fmt::format("no baseline yet ({}): the regression rules were not checked",
                                    plan.baseline.kind));
    return;
  }
  result.baseline->runs = baseline_runs;
  if (!gate::rules_can_reach(plan.rules, result.baseline->runs, result.runs.size(), options.alpha)) {
    std::size_t need = 0;
    for (const auto& rule : plan.rules) need = std::max(need, gate::min_runs_for(rule, plan.rules.size(), options.alpha));
    result.warnings.push_back(fmt::format(
        "the regression rules were not checked: {} baseline and {} candidate runs can never reach "
        "significance at alpha {:.3g} (split over the planned looks); measure at least {} runs",
        result.baseline->runs, result.runs.size(), options.alpha, need));
    return;
  }
  result.regressions = gate::evaluate_regressions(plan.rules, base, metric_columns(result.runs), options);
  const verdict v = gate::combine(result.regressions);
  for (const auto& f : result.regressions) {
    if (f.decision == verdict::regressed || f.decision == verdict::inconclusive) result.reasons.push_back(f.reason);
  }
  if (result.outcome == verdict::pass || (result.outcome == verdict::skipped && v != verdict::pass)) result.outcome = v;
  const bool possible = std::any_of(result.regressions.begin(), result.regressions.end(),
                                    [](const auto& f) { return f.possible_regression(); });
  if (v == verdict::inconclusive && !fail_on_inconclusive) {
    result.warnings.push_back(
        possible ? "a possible regression is let pass as inconclusive (ON_INCONCLUSIVE pass): the "
                   "change looks beyond the limit but is not yet significant; more runs (a higher "
                   "RUNS maximum) or a quieter machine can decide it, ON_INCONCLUSIVE fail fails it"
                 : "the regression verdict is inconclusive (allowed: ON_INCONCLUSIVE pass); more "
                   "runs (a higher RUNS maximum) or a quieter machine can decide it");
  }
}

void summarize_runs(run_result& result) {
  const auto& runs = result.runs;
  const auto columns = metric_columns(runs);
  for (const auto& [metric, values] : columns) result.summary[metric] = stats::summarize(values);
  // A reported distribution is summarized over all its values, pooled (docs/metrics.md).
  for (const auto& [metric, values] : pooled_distributions(runs)) result.summary[metric] = stats::summarize(values);
  const auto& wall = columns.at("wall");
  result.wall_outliers = stats::outliers_modified_z(wall);
  if (wall.empty()) return;
  const bool first_was_warmup = !result.warmup_runs.empty();
  const double first = double(first_was_warmup ? result.warmup_runs.front().wall_ns : runs.front().wall_ns);
  for (auto& w : stats::wall_time_warnings(wall, first, first_was_warmup, double(result.overhead_ns))) {
    result.warnings.push_back(std::move(w));
  }
}

point_run::point_run(const test_plan& plan, exec::executor& executor, const runner_options& options)
    : impl_(std::make_unique<detail::measurement>(plan, executor, options)) {
  impl_->start();
}

point_run::~point_run() = default;

point_step point_run::step() { return impl_->step(); }

run_result point_run::finish() { return impl_->end(); }

void point_run::set_reference_throughput(double reference) { impl_->set_reference_throughput(reference); }

double point_run::median_throughput() const { return impl_->median_throughput(); }

run_result run_test(const test_plan& plan, exec::executor& executor, const runner_options& options) {
  point_run point(plan, executor, options);
  while (point.step() != point_step::done) {
  }
  return point.finish();
}

run_result run_test(const run_spec& spec, exec::executor& executor, const runner_options& options) {
  return run_test(compile_plan(spec, {"spec", false}), executor, options);
}

}  // namespace perfcheck::run
