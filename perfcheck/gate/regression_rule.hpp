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

/// A parsed rule: flag a change of `metric`'s location beyond `tolerance`.
struct regression_rule {
  std::string text;       ///< as written
  std::string metric;     ///< "wall", "cpu", "rss", ...
  double tolerance = 0;   ///< fraction: 0.05 for "+5%"
  bool operator==(const regression_rule&) const = default;
};

/// Parses "<metric>.median +<tolerance>%" (tolerance from 0 to 1000%); a bad rule throws
/// usage_error quoting it and giving the allowed form.
regression_rule parse_regression_rule(std::string_view text);

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
};

/// The outcome of one rule (defined in the model, so results carry it).
using regression_outcome = regression_finding;

/// Whether `rule_count` rules (Holm multiplies the smallest p by their number) can ever reach
/// p < alpha with these sample sizes; false when either side is empty.
bool rules_can_reach(std::size_t baseline_n, std::size_t candidate_n, std::size_t rule_count,
                     double alpha);

/// Decides every rule of one test. `baseline` and `candidate` hold the metric columns
/// (metric_columns). Decision per rule, after Holm's correction over the rules:
/// - `regressed` when p_adjusted < alpha and the whole interval lies above +tolerance;
/// - `improved` when p_adjusted < alpha and the whole interval lies below -tolerance;
/// - `pass` when the interval lies within [-tolerance, +tolerance], or entirely below
///   +tolerance without reaching `improved` (no regression is possible);
/// - `inconclusive` otherwise: the interval straddles +tolerance (more runs may decide it),
///   or the tolerance is below the calibrated noise floor.
/// Throws usage_error when a metric is missing or has non-positive values, or when the
/// sample sizes can never reach p < alpha (the message gives the minimum runs).
std::vector<regression_outcome> evaluate_regressions(
    const std::vector<regression_rule>& rules,
    const std::map<std::string, std::vector<double>>& baseline,
    const std::map<std::string, std::vector<double>>& candidate, const regression_options& options);

/// The test's overall regression verdict: regressed if any rule regressed, else inconclusive
/// if any was, else improved if any improved, else pass.
verdict combine(const std::vector<regression_outcome>& outcomes);

}  // namespace perfcheck::gate
