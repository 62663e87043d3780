// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Gates of one level of a sweep against another of the same test, written in THRESHOLDS:
// "wall.median@mode=warm <= 60% wall.median@mode=cold" (the warm level's median at most 60% of
// the cold level's). Parsed once into the plan, checked against the levels when the plan is
// compiled, evaluated after the sweep on the two levels' point estimates (docs/setup.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/level.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/threshold.hpp"
#include "perfcheck/plan/levels.hpp"

namespace perfcheck {

/// A parsed level-against-level gate: left <op> factor × right.
struct level_comparison {
  std::string text;        ///< as written
  threshold_expr left;     ///< the subject at its level (op and limit unused)
  threshold_expr right;    ///< the subject compared with, at its level
  comparison op = comparison::less_equal;
  double factor = 1;       ///< 0.6 for "60%"
  bool operator==(const level_comparison&) const = default;
};

/// The expression as a level comparison, when its right-hand side is "<number>% <subject>@<level>";
/// nullopt when it is an ordinary threshold. A comparison that is malformed (a subject without
/// '@', a statistic that is not a per-run summary, a factor not above 0) throws usage_error.
std::optional<level_comparison> parse_level_comparison(std::string_view text);

/// What is wrong with `c` in a sweep with these parameters and levels: a side's level that the
/// test lacks or that names more than one level, both sides the same level, subjects of
/// different kinds (a time against a size); "" when nothing.
std::string level_comparison_problem(const level_comparison& c, const std::vector<parameter>& parameters,
                                     const std::vector<level>& levels);

/// Evaluates every comparison on the points of a sweep result and adds its outcome (the ratio as
/// the value, the form percent; `at` "<left level> vs <right level>") to result.thresholds;
/// a comparison that does not hold is a reason and fails a result that passed.
void apply_level_comparisons(run_result& result, const std::vector<level_comparison>& comparisons);

}  // namespace perfcheck
