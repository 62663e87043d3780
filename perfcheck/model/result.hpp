// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Everything one `perfcheck run` found out: the result file (schema perfcheck/result/v1).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/model/level.hpp"
#include "perfcheck/model/sample.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/model/summary.hpp"
#include "perfcheck/model/threshold.hpp"
#include "perfcheck/model/verdict.hpp"

namespace perfcheck {

/// Schema tag of result files.
inline constexpr const char* result_schema = "perfcheck/result/v1";

/// The machine and the tool, as found at the start of the run.
struct environment_info {
  std::string cpu_model;
  int cpu_count = 0;
  std::string kernel;          ///< uname sysname, release and machine
  std::string hostname;
  double load_average_1m = 0;  ///< at the start of the run
  std::string governor;        ///< cpufreq governor of cpu0; empty when not readable
  std::string perfcheck_version;
  std::string build_type;
  bool operator==(const environment_info&) const = default;
};

/// Where and from what a result came: what the history compares results by.
struct run_context {
  std::string session_id;   ///< the `ctest -L perf` session (perfcheck session start); may be empty
  std::string git_commit;   ///< of the measured project; empty when unknown
  std::string git_branch;   ///< empty when unknown
  std::string machine;      ///< machine fingerprint (run::machine_fingerprint)
  std::string spec_hash;    ///< hash of the spec fields that change what is measured (spec_hash)
  std::string compiler;     ///< of the measured project, e.g. "GNU 12.2.0"; may be empty
  bool operator==(const run_context&) const = default;
};

/// The outcome of one regression rule against the baseline (see gate/regression_rule.hpp).
struct regression_finding {
  std::string rule;                  ///< as written, e.g. "wall.median +5%"
  std::string metric;
  std::size_t baseline_n = 0, candidate_n = 0;
  double baseline_median = 0, candidate_median = 0;  ///< base units
  double change = 0;                 ///< relative change estimate (0.05 = 5% larger)
  double ci_low = 0, ci_high = 0;    ///< its interval at 1 - alpha
  double p_value = 1;                ///< two-sided Mann-Whitney
  double p_adjusted = 1;             ///< Holm-adjusted over the test's rules
  verdict decision = verdict::pass;  ///< pass, improved, regressed or inconclusive
  std::string reason;
  /// The rule's limit as a fraction: +0.05 for "+5%" (a tolerance), -0.4 for "-40%" (a
  /// required speed-up). Older results: read from `rule`.
  double tolerance = 0;
  /// Coverage of [ci_low, ci_high] (the gate's 1 - alpha split over the looks, or what the
  /// sample sizes reached); 0 when unknown (older results).
  double confidence = 0;
  /// Inconclusive with the estimate beyond the limit: the candidate runs that would decide it if
  /// the observed change and spread held (docs/regressions.md); 0 when more runs cannot decide.
  std::size_t runs_to_decide = 0;
  std::string at{};  ///< the level compared ("n=500"); "" for a test without levels
  /// Inconclusive, and the point estimate lies beyond the limit: a possible regression.
  bool possible_regression() const { return decision == verdict::inconclusive && change > tolerance; }
  bool operator==(const regression_finding&) const = default;
};

/// What the regression rules compared against.
struct baseline_info {
  std::string kind;            ///< "history", "file" or "command"
  std::string source;          ///< history file, baseline file, or the baseline command line
  std::size_t runs = 0;        ///< pooled baseline runs
  std::size_t sessions = 0;    ///< sessions they came from (1 for an interleaved command)
  std::vector<run_sample> samples;  ///< the baseline runs (interleaved command: measured here)
  std::string order;           ///< interleaved command: run order, A = baseline, B = candidate
  bool operator==(const baseline_info&) const = default;
};

/// The trend of one metric across a soak (--duration): a Theil-Sen line with a Mann-Kendall
/// test, over the measured runs (or, with `once`, over the single run's memory timeline),
/// after the warm-up. See docs/limits.md.
struct trend_outcome {
  std::size_t n = 0;           ///< points analysed (after the warm-up; binned to at most 500)
  double slope = 0;            ///< Theil-Sen slope, base unit per second
  double slope_low = 0;        ///< lower end of the slope's 95% interval
  double slope_high = 0;       ///< upper end
  double start = 0;            ///< the fitted line at the first point analysed (base unit)
  double end = 0;              ///< the fitted line at the last point analysed (base unit)
  double change = 0;           ///< (end - start) / start; 0 when start <= 0
  double p_value = 1;          ///< Mann-Kendall, two-sided
  double tau = 0;              ///< Kendall's tau of the series, in [-1, 1]
  bool significant = false;    ///< p_value < 0.05: the trend is real; gates see 0 otherwise
  std::int64_t window_ns = 0;  ///< time span of the points analysed
  bool operator==(const trend_outcome&) const = default;
};

/// One point of a sweep: a level with its runs, summaries and verdict.
struct result_point {
  level at;                                       ///< e.g. n = 500
  verdict outcome = verdict::pass;                ///< this level's own verdict
  std::vector<run_sample> runs;                   ///< measured runs at this level
  std::vector<run_sample> warmup_runs;            ///< unmeasured runs, same shape
  std::map<std::string, metric_summary> summary;  ///< keyed by wall, user, sys, cpu, rss
  std::vector<std::size_t> wall_outliers;         ///< indexes into runs (flagged, kept)
  std::map<std::string, trend_outcome> trends;    ///< this level's soak trends; empty without a soak
  bool operator==(const result_point&) const = default;
};

/// One row of a profile's table: a function's self share (the weight it was the leaf of over
/// the total) in the candidate and the baseline, and its inclusive share in the candidate.
struct profile_row {
  std::string function;
  double candidate = 0;  ///< 0..1
  double baseline = 0;   ///< 0..1 (0 without a baseline profile)
  double inclusive = 0;  ///< 0..1
  bool operator==(const profile_row&) const = default;
};

/// The profile taken after a failed or regressed verdict (PROFILE, docs/profiles.md).
struct profile_info {
  std::string tool;                ///< "perf" or "callgrind"; empty: none was taken
  std::string not_measured;        ///< what was not profiled and why; empty: all of it was
  std::vector<std::string> files;  ///< written: folded stacks, flame graphs (paths)
  std::vector<profile_row> rows;   ///< the functions whose share grew most (or largest share)
  std::int64_t samples = 0;        ///< the candidate's weight (perf: samples, callgrind: Ir)
  std::int64_t baseline_samples = 0;  ///< the baseline command's; 0 without one
  std::vector<std::string> warnings;  ///< unresolved frames, a profile cut to its bounds
  std::string level;  ///< a sweep: the level profiled ("n=500"); empty: a test without levels
  bool operator==(const profile_info&) const = default;
};

/// A performance test's complete result.
struct run_result {
  std::string name;
  verdict outcome = verdict::pass;
  std::vector<std::string> reasons;   ///< one line per violated threshold or failure
  std::vector<std::string> warnings;  ///< noise, short runs, cold start, ...
  std::vector<std::string> command;
  /// A sweep's points, one per level in the order the plan lists them. Empty for a test without
  /// levels: its one point is runs, warmup_runs, summary and wall_outliers below, which stay
  /// empty in a sweep (points_of gives either kind as points).
  std::vector<result_point> points;
  /// A sweep: the index into points of every measured run, in the order the runs were made.
  std::vector<std::size_t> point_order;
  std::uint64_t point_seed = 0;  ///< a sweep: the seed that shuffled each round's level order
  std::vector<run_sample> runs;         ///< measured runs
  std::vector<run_sample> warmup_runs;  ///< unmeasured runs, same shape
  std::map<std::string, metric_summary> summary;  ///< keyed by wall, user, sys, cpu, rss
  std::vector<std::size_t> wall_outliers;         ///< indexes into runs (flagged, kept)
  std::vector<threshold_outcome> thresholds;
  std::vector<regression_finding> regressions;  ///< empty without regression rules
  std::optional<baseline_info> baseline;        ///< set when rules were checked
  resource_limits limits;                       ///< the limits every run was under (0: none)
  std::map<std::string, trend_outcome> trends;  ///< "rss" (and "wall" over repeated runs) in a soak
  std::int64_t overhead_ns = 0;     ///< median wall time of an empty program's launch
  bool overhead_corrected = false;  ///< whether overhead_ns was subtracted from wall times
  /// The test is marked WILL_FAIL (spec will_fail): a failing verdict is an expected failure.
  bool expected_failure = false;
  environment_info environment;
  run_context context;
  /// Key = value pairs about the test (docs/metrics.md): METADATA / --meta, then the command's
  /// "#meta" lines (a key given both ways keeps the spec's value).
  std::map<std::string, std::string> metadata;
  std::string started_at;   ///< RFC 3339 UTC, e.g. 2026-11-23T10:00:00.123Z
  std::string finished_at;  ///< RFC 3339 UTC
  /// PROFILE: the profile of a failed or regressed test; none when not asked for or passed.
  std::optional<profile_info> profile;

  bool operator==(const run_result&) const = default;
};

/// The points of a result: a sweep's points, or the one point without a level of a test without
/// levels (its runs, warm-up runs, summaries, outliers and verdict).
std::vector<result_point> points_of(const run_result& result);

/// Whether `result` failed the way its WILL_FAIL mark expects: marked, and failed, regressed or
/// error.
bool is_expected_failure(const run_result& result);

/// A result's "profile" object (docs/result-format.md); report.json carries it too.
boost::json::object profile_to_json(const profile_info& profile);

/// The JSON form of a result (schema perfcheck/result/v1, see docs/result-format.md).
boost::json::value result_to_json(const run_result& result);

/// Every per-run metric of the measured runs as a column of base-unit values, keyed by metric
/// name: "wall", "user", "sys", "cpu", "rss" (the command's peak), "rss_tree" (the tree's
/// sampled peak), "io.read_bytes", "io.write_bytes", "io.read_chars", "io.write_chars",
/// "ctx.voluntary", "ctx.involuntary", "faults.major", "faults.minor", "leaked.processes",
/// "cpu.util" (CPU time over wall time, a fraction: 1.5 is 150%), "threads" (the tree's most
/// threads in a sample; only when every run was sampled), "instructions" (only when every run was
/// counted, COUNT instructions), and whatever later stages add. The summaries, the history and the reports all take their
/// metrics from here, so a new metric is added in one place.
std::map<std::string, std::vector<double>> metric_columns(const std::vector<run_sample>& runs);

/// Reads a result from parsed JSON; throws usage_error naming `origin`, the field and the fix.
run_result result_from_json(const boost::json::value& json, std::string_view origin);

}  // namespace perfcheck
