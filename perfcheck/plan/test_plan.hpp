// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The typed form of a spec: compiled once, before anything runs. validate, run and calibrate
// share it, and the build-time check (perfcheck_validate_specs) is `perfcheck validate`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/gate/series_gates.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/plan/level_comparison.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/model/threshold.hpp"

namespace perfcheck {

/// What the regression rules compare against.
enum class baseline_kind { history, file, command };

/// "history", "file", "command".
const char* to_string(baseline_kind kind);

/// What an inconclusive regression verdict does to the exit code.
enum class inconclusive_policy { pass, fail };

/// How the runs are planned: by count and time, a soak for a duration, or one long run.
enum class soak_mode { none, duration, once };

/// Where a spec came from, for messages: a spec file (fields and add_perf_test keywords are
/// named in fixes) or the command line (flags are named).
struct spec_origin {
  std::string where;   ///< the spec file's path, or "command line"
  bool flags = false;  ///< true for the command line
  bool thresholds_by_flag = false;  ///< a spec file's thresholds replaced by --threshold
  bool rules_by_flag = false;       ///< a spec file's rules replaced by --regression
};

/// The runs of a test, with a soak folded in: `once` is one measured run without warm-up; a
/// duration keeps measuring until that much run time (up to max_run_count), whatever the
/// runs said.
struct run_schedule {
  int warmup = 1;
  int min_runs = 10;
  int max_runs = 10;
  std::int64_t min_time_ns = 0;
  bool operator==(const run_schedule&) const = default;
};

/// A metric the command reports through the metric channel, as declared (METRICS name[:unit],
/// --metric): thresholds and rules may name it; a unit, when given, fixes its kind.
struct declared_metric {
  std::string name;
  std::optional<unit_kind> kind;  ///< none: any unit
  bool percent = false;           ///< declared "name:%"
  bool operator==(const declared_metric&) const = default;
};

/// A spec compiled into what the run loop, the gates and the messages need, every expression
/// parsed. Levels, load and metrics of later kinds of workload extend this, not the spec.
/// A test without parameters measures one point (levels empty); a sweep measures one point per
/// level, and an expression's `@level` must name levels the test has.
struct test_plan {
  run_spec spec;                             ///< as given: command, environment, output, limits
  run_schedule schedule;                     ///< the runs, soak folded in
  soak_mode soak = soak_mode::none;
  std::vector<threshold_expr> thresholds;    ///< in the spec's order
  std::vector<gate::regression_rule> regressions;
  baseline_kind baseline = baseline_kind::history;
  inconclusive_policy on_inconclusive = inconclusive_policy::pass;
  std::vector<parameter> parameters;         ///< a sweep's parameters, values expanded
  std::vector<level> levels;                 ///< a sweep's points (sweep_levels); empty: one point
  /// A concurrency level's copies per round (plan_at of a level with `concurrency`); 0: each
  /// run is one process, as in a test without CONCURRENCY.
  int copies = 0;
  std::vector<declared_metric> metrics;      ///< reported metrics declared (spec.metrics)
  std::map<std::string, std::string> metadata;  ///< spec.metadata, checked
  level at{};                                ///< plan_at's level; empty for a whole test's plan
  /// Gates across the levels (complexity gates and breaking points), from the spec's
  /// thresholds in their order; evaluated once every level is measured (apply_series_gates).
  std::vector<gate::complexity_gate> complexity;
  std::vector<gate::breaking_point_gate> breaking_points;
  /// Thresholds that compare one level with another ("wall.median@mode=warm <= 60%
  /// wall.median@mode=cold"), evaluated after the sweep; not in `thresholds`.
  std::vector<level_comparison> level_comparisons;
  bool operator==(const test_plan&) const = default;
};

/// Compiles a spec: the spec's own checks (validate), every threshold and regression rule
/// parsed, and every threshold checked against what the plan measures (a soak trend without a
/// soak, wall.drift with a single run, a trend without tree sampling, a level the test does not
/// have, a rule on a metric no run has). Throws usage_error naming `origin`, the test, the field
/// and the fix; nothing has started then.
test_plan compile_plan(const run_spec& spec, const spec_origin& origin);

/// The plan of one level of a sweep: spec_at's spec, the thresholds that address the level
/// (those without '@' and those whose level matches), no levels and no gates across levels; at
/// a level with `concurrency`, copies is its value. A soak's schedule holds at every level (the
/// duration is each level's); at a concurrency level its cap of max_run_count runs counts copies,
/// so max_runs is max_run_count / copies rounds (at least 1).
test_plan plan_at(const test_plan& plan, const level& at);

/// The name of the level a concurrency test adds (CONCURRENCY, --concurrency).
inline constexpr std::string_view concurrency_parameter = "concurrency";
/// The most copies one concurrency level may start at once.
inline constexpr int max_copies = 1000;

namespace detail {
/// Expands the spec's parameters into plan.parameters and plan.levels and checks that every
/// placeholder of the command, baseline command, working directory and environment names a
/// parameter, and that the sweep asks for nothing it cannot do yet; throws usage_error naming
/// the flag or the spec field.
void compile_levels(test_plan& plan, const spec_origin& origin, const std::string& where);
/// The level `concurrency` of the spec's CONCURRENCY; throws usage_error prefixed with `place`
/// for a copy count that is not a whole number from 1 to max_copies, one given twice, or a
/// parameter named concurrency or instance.
parameter concurrency_levels(const run_spec& spec, const std::string& place, bool flags);
/// Throws usage_error naming the field when a test without CONCURRENCY has {instance}.
void check_no_instance(const run_spec& spec, const spec_origin& origin, const std::string& where);
/// Throws usage_error for {instance} where copies cannot differ (the working directory) or
/// that a concurrency test does not have (the baseline command).
void check_concurrency_instance(const run_spec& spec, const spec_origin& origin, const std::string& where);
/// Why a threshold on a concurrency metric cannot be measured by `plan` (no CONCURRENCY;
/// efficiency without level 1), or "".
std::string concurrency_threshold_problem(const threshold_expr& t, const test_plan& plan, const std::string& lhs);

/// Checks spec.metrics (names as the channel allows them, never a built-in metric; units the
/// channel knows) and spec.metadata ("key=value", keys as metric names, no control characters)
/// into plan.metrics and plan.metadata; throws usage_error naming the flag or the spec field.
void compile_reported(test_plan& plan, const spec_origin& origin, const std::string& where);
/// Checks that each threshold on a declared metric with a unit has a limit of that unit's kind.
void check_declared_units(const test_plan& plan, const spec_origin& origin, const std::string& where);
/// The declared names, for parse_thresholds.
std::vector<std::string> declared_names(const test_plan& plan);

/// Checks spec.client ("" or "wrk"; a wrk client's output is read, so never shown, and it is
/// not run as concurrent copies); throws usage_error naming the flag or the spec field.
void compile_client(const test_plan& plan, const spec_origin& origin, const std::string& where);
/// For a load metric or one a wrk client measures: why `plan` cannot measure the threshold, or
/// "" when it can; nullopt when the client has no say (the other checks decide).
std::optional<std::string> client_threshold_problem(const threshold_expr& t, const test_plan& plan,
                                                    const std::string& lhs);
/// A wrk client's regression columns (ingest::wrk_metric_names) added to `columns`, and its rules on
/// latency ("latency.p99 +10%") mapped to the per-run figure's median ("latency.p99").
void add_client_columns(test_plan& plan, std::map<std::string, std::vector<double>>& columns);

/// Compiles one gate across levels (a complexity gate or a breaking point, is_series_gate) into
/// plan.complexity or plan.breaking_points and checks it against the plan's levels: a sweep with
/// a numeric parameter, the parameter named or the only numeric one, at least 3 values (positive)
/// and 4 runs for a complexity gate, at least 2 values for a breaking point, a complexity
/// subject that is a per-run metric's median or mean. Throws usage_error at `place` with the fix.
void compile_series_gate(test_plan& plan, const std::string& text, const std::string& place, const spec_origin& origin);
/// COUNT (plan/count_plan.cpp): a gate on instructions needs COUNT instructions; with COUNT, a
/// gate on the time or memory the counted runs took (wall, user, sys, cpu, cpu.util, rss) and
/// CONCURRENCY are refused. Throws usage_error naming the gate and the fix.
void check_counted(const test_plan& plan, const std::string& where);
/// Refuses regression rules that no run of the plan could ever decide (plan/rule_reach.cpp):
/// with at most schedule.max_runs candidate runs against a baseline command of as many, or a
/// history's pool of history_baseline_runs, no change reaches p < alpha split over the looks.
/// A baseline file's size and a concurrency level's copies are known when the test runs (the
/// runner warns then). Throws usage_error naming the rule, the runs and the fix.
void check_rules_reachable(const test_plan& plan, const spec_origin& origin, const std::string& where);
}  // namespace detail

/// The most runs a history baseline pools for the regression rules (newest results first).
inline constexpr std::size_t history_baseline_runs = 200;

/// The looks of the regression rules: at min_runs, then doubling, and at max_runs. The level
/// alpha is split evenly over them (Bonferroni), so looking more often does not raise the false
/// alarm rate.
std::vector<int> planned_looks(const run_schedule& schedule);

}  // namespace perfcheck
