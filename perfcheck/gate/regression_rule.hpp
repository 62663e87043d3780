// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Relative regression rules against a baseline: "wall.median +5%".
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/result.hpp"

namespace perfcheck::gate {

/// A parsed rule: flag a change of `metric`'s `statistic` beyond the limit `tolerance`.
struct regression_rule {
  std::string text;       ///< as written
  std::string metric;     ///< "wall", "cpu", "rss", ... (a metric_columns name)
  std::string statistic = "median";  ///< "median", "mean", "p90", "p95" or "p99"
  /// The limit, a signed fraction: 0.05 for "+5%" (a slowdown tolerated), -0.4 for "-40%" (a
  /// speed-up required: the candidate must be at least 40% lower than the baseline).
  double tolerance = 0;
  /// The level of a sweep the rule compares, as written after '@' ("n=500", "16"); none: every
  /// level (or the one point of a test without levels).
  std::optional<std::string> level;
  /// The quantile of a "pXX" statistic (0.95 for p95); 0 for median and mean.
  double quantile() const { return statistic.starts_with("p") ? std::stod(statistic.substr(1)) / 100 : 0; }
  bool operator==(const regression_rule&) const = default;
};

/// Parses "<metric>.<statistic>[@<level>] <limit>%": statistic median, mean, p90, p95 or p99; limit
/// +0% to +1000% (tolerated slowdown) or -0% to below -100% (required speed-up). A bad rule
/// throws usage_error quoting it and giving the allowed form.
regression_rule parse_regression_rule(std::string_view text);

/// The fewest runs on each side with which `rule`, one of `rule_count` rules, can ever be
/// decided at `alpha`: median 4-5 (exact Mann-Whitney), mean 2, p95 117 at alpha 0.01.
std::size_t min_runs_for(const regression_rule& rule, std::size_t rule_count, double alpha);

/// Whether every rule can be decided with these sample sizes (min_runs_for, and for medians
/// rules_can_reach below).
bool rules_can_reach(const std::vector<regression_rule>& rules, std::size_t baseline_n,
                     std::size_t candidate_n, double alpha);

/// The first rule that these sample sizes can never decide (rules_can_reach); null when each can.
const regression_rule* first_unreachable(const std::vector<regression_rule>& rules, std::size_t baseline_n,
                                         std::size_t candidate_n, double alpha);

/// Parses every rule; the first bad one throws usage_error prefixed with `origin`.
std::vector<regression_rule> parse_regression_rules(const std::vector<std::string>& texts,
                                                    std::string_view origin);

/// The decision settings.
struct regression_options {
  double alpha = 0.01;  ///< significance level, and 1 - alpha is the interval's confidence
  /// Relative spread (robust CV of log medians) between earlier sessions of the baseline;
  /// 0 when unknown or when the baseline ran interleaved in the same job. The interval of the
  /// change is widened by it, because a block of runs from another session differs by more
  /// than its within-session noise.
  double between_session_cv = 0;
  std::size_t baseline_sessions = 0;  ///< how many sessions the baseline pools (for the widening)
  /// Measured noise floor of this machine (calibration): a tolerance below it cannot be
  /// decided and gives `inconclusive` with that reason. 0 when not calibrated.
  double noise_floor = 0;
  /// The baseline runs interleaved with the candidate (a baseline command): more runs add to both.
  bool paired = false;
};

/// The outcome of one rule (defined in the model, so results carry it).
using regression_outcome = regression_finding;

/// Whether `rule_count` rules (Holm multiplies the smallest p by their number) can ever reach
/// p < alpha with these sample sizes; false when either side is empty.
bool rules_can_reach(std::size_t baseline_n, std::size_t candidate_n, std::size_t rule_count,
                     double alpha);

/// Decides every rule of one test. `baseline` and `candidate` hold the metric columns
/// (metric_columns). The change of the rule's statistic and its interval at 1 - alpha: median
/// the relative Hodges-Lehmann shift with Mann-Whitney's p, mean the delta-method ratio of means,
/// pXX the order-statistic ratio of quantiles (stats/compare_ratio.hpp). p tests "no change" for
/// a tolerance and "change = limit" for a required speed-up. Decision per rule, after Holm's
/// correction over the rules, for a tolerance (limit >= 0):
/// - `regressed` when p_adjusted < alpha and the whole interval lies above +tolerance;
/// - `improved` when p_adjusted < alpha and the whole interval lies below -tolerance;
/// - `pass` when the interval lies within [-tolerance, +tolerance], or entirely below
///   +tolerance without reaching `improved` (no regression is possible);
/// - `inconclusive` otherwise: the interval straddles +tolerance (more runs may decide it),
///   or the tolerance is below the calibrated noise floor.
/// For a required speed-up (limit < 0): `pass` when p_adjusted < alpha and the whole interval
/// lies below the limit, `regressed` (not met) when p_adjusted < alpha and it lies above,
/// `inconclusive` otherwise. An inconclusive finding whose estimate lies beyond the limit carries
/// runs_to_decide (see runs_to_decide).
/// Throws usage_error when a metric is missing or has non-positive values, or when the
/// sample sizes can never reach p < alpha (the message gives the minimum runs).
std::vector<regression_outcome> evaluate_regressions(
    const std::vector<regression_rule>& rules,
    const std::map<std::string, std::vector<double>>& baseline,
    const std::map<std::string, std::vector<double>>& candidate, const regression_options& options);

/// The candidate runs that would decide an inconclusive finding whose estimate lies beyond its
/// limit, if the observed change and spread held: the interval's within-sample half-width h on
/// the log scale shrinks as sqrt(1/n_b + 1/n_c) while the between-session widening w stays, so
/// the lower end clears the limit once sqrt(1/n_b + 1/n_c') <= (d - w) sqrt(1/n_b + 1/n_c) / h,
/// d = log(1 + change) - log(1 + limit); both sides grow together with an interleaved baseline
/// (options.paired). 0 when no number of runs can (d <= w, or the fixed baseline is too small).
std::size_t runs_to_decide(const regression_outcome& finding, const regression_options& options);

/// The test's overall regression verdict: regressed if any rule regressed, else inconclusive
/// if any was, else improved if any improved, else pass.
verdict combine(const std::vector<regression_outcome>& outcomes);

}  // namespace perfcheck::gate
