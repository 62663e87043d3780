// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Gates across the levels of a sweep, evaluated once every level is measured: complexity gates
// (`wall.median ~ O(n)`: the wild-bootstrap test of stats/growth_bound, Holm over the test's
// complexity gates) and breaking points (`breaking_point(wall.p99 < 200ms) >= 20`). Their
// outcomes join the result's thresholds with their parts (model/series_outcome.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "perfcheck/gate/complexity_bound.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/series_expr.hpp"

namespace perfcheck::gate {

/// A complexity gate of a plan: its subject (a per-run metric with .median or .mean) and its
/// bound, the parameter resolved (O(1) is over the test's only numeric parameter).
struct complexity_gate {
  std::string text;          ///< as written
  threshold_expr subject;    ///< the metric and statistic; text as written
  complexity_bound bound;    ///< parameter never empty in a compiled plan
  bool operator==(const complexity_gate&) const = default;
};

/// A breaking point of a plan, its parameter resolved (the test's only numeric one when not named).
using breaking_point_gate = breaking_point_expr;

/// A level's value as a number ("500", "0.5", "1e3"); nullopt when it is none (or not finite).
std::optional<double> level_number(const std::string& text);

/// The levels of a sweep split by one parameter: the points sharing the values of every other
/// parameter form a group, its levels in increasing numeric order of the parameter.
struct level_group {
  level fixed;                     ///< the other parameters' values; empty with one parameter
  std::vector<std::size_t> points; ///< indexes into the result's points, the parameter increasing
  std::vector<double> values;      ///< the parameter's value at each of them
};

/// Groups `points` by `parameter` (a numeric parameter every point has; a point without it or
/// with a value that is no number throws std::invalid_argument naming the level).
std::vector<level_group> group_levels(const std::vector<result_point>& points, const std::string& parameter);

/// Evaluates every gate over `result.points` and appends one outcome per gate and group to
/// result.thresholds (`at` the group's fixed levels; "" with one parameter), with a reason per
/// failed or unevaluated gate; either makes the verdict `failed` (an `error` stays one):
/// - a complexity gate fits every successful run of the group's levels (fit_complexity), tests
///   its bound (test_growth_bound, `replicates` resamples, seeded by the gate's index) and fails
///   when Holm over all the test's complexity outcomes rejects it at `alpha` and the fitted class
///   is faster (decide_bounds). A level without a successful run, or data the fit refuses (fewer
///   than 3 values, a value <= 0), is an outcome not measured, with the reason.
/// - a breaking point steps through the group's levels in increasing order: the gate holds at a
///   level when the level has the value, the value holds and the level is not an `error`; the
///   breaking point is the last level before the first where it does not hold (the highest level
///   when it always holds; none when the first level fails). With a comparison, it fails when
///   the breaking point is none or does not satisfy it; without one it is reported only.
void apply_series_gates(run_result& result, std::span<const complexity_gate> complexity,
                        std::span<const breaking_point_gate> breaking_points, double alpha,
                        std::size_t replicates = 999);

}  // namespace perfcheck::gate
