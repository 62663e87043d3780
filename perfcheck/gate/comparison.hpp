// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Comparing two sets of tests (a baseline and a candidate) test by test, and a sweep's level by
// level, with the regression rules: what `perfcheck compare` and `perfcheck baseline diff`
// print. Pure: no I/O.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/result.hpp"

namespace perfcheck::gate {

/// Schema tag of `perfcheck compare --json` output.
inline constexpr const char* compare_schema = "perfcheck/compare/v1";

/// One test on one side of a comparison, or one level of a sweep's test.
struct comparison_input {
  std::string name;
  std::string at;  ///< the level ("n=500", to_string(level)); "" for a test without levels
  std::map<std::string, std::vector<double>> columns;  ///< per metric, base units (metric_columns)
  std::string origin;   ///< the file or session it came from, for messages
  std::string problem;  ///< non-empty when its measurement failed (verdict error): why
};

/// One rule of one test (a sweep's: of one level) found on both sides.
struct comparison_row {
  std::string name;
  regression_finding finding;  ///< decision pass, improved, regressed, inconclusive, or error; `at` the level
  /// False when the rule could not be evaluated (too few runs, the metric not measured, a
  /// failed measurement): finding.reason says why, and only the medians may be set.
  bool evaluated = false;
};

/// A level of a test.
struct test_level {
  std::string name;
  std::string at;  ///< "n=500"; "" for the one point of a test without levels
  bool operator==(const test_level&) const = default;
};

/// "sort_sweep @ n=500", or the name alone for a test without levels.
std::string level_label(const std::string& name, const std::string& at);

/// Every row, plus the tests (and the levels of tests on both sides) found on one side only.
struct comparison_report {
  /// By test name, then level (in the candidate's order), then in rule order.
  std::vector<comparison_row> rows;
  std::vector<std::string> only_baseline;    ///< test names, sorted
  std::vector<std::string> only_candidate;   ///< test names, sorted
  /// Levels of a test found on both sides that one side lacks: by name, then in the side's order.
  std::vector<test_level> only_baseline_levels;
  std::vector<test_level> only_candidate_levels;
  std::vector<std::string> rules;            ///< the rules as written
  double alpha = 0.01;

  /// True when any row's decision is `regressed`.
  bool any_regressed() const;
  /// Rows per decision.
  std::map<verdict, std::size_t> counts() const;
};

/// Matches tests by name, and the levels of a test by their text (a sweep's level is compared
/// with the same level of the other side, as `perfcheck run` compares it with its baseline),
/// and decides every rule with evaluate_regressions (Holm's correction over one level's rules). A rule that cannot be evaluated for a test (evaluate_regressions
/// throws usage_error: metric missing, non-positive values, too few runs for alpha) gives an
/// `inconclusive` row with the reason, and the test's other rules are decided among
/// themselves; a side whose measurement failed (`problem`) gives `error` rows. Two inputs
/// with the same name and level on one side: the later one counts. No rules: no rows.
comparison_report compare_tests(const std::vector<comparison_input>& baseline,
                                const std::vector<comparison_input>& candidate,
                                const std::vector<regression_rule>& rules,
                                const regression_options& options);

/// The JSON form (schema perfcheck/compare/v1, docs/baselines.md): "comparisons" with name,
/// rule, metric, baseline_n, candidate_n, baseline_median, candidate_median (base units),
/// change, ci_low, ci_high (fractions: 0.05 = +5%), p_value, p_adjusted, verdict, reason;
/// figures that were not computed are null; "at" the level, only in a level's row. Also
/// "alpha", "rules", "only_baseline", "only_candidate" (names), "only_baseline_levels" and
/// "only_candidate_levels" ([{"name", "at"}]).
boost::json::value comparison_to_json(const comparison_report& report);

}  // namespace perfcheck::gate
