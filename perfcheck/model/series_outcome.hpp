// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The parts of an outcome of a gate across a sweep's levels: a complexity gate
// (`wall.median ~ O(n)`) and a breaking point (`breaking_point(wall.p99 < 200ms) >= 20`). A
// threshold_outcome carries one of them, so the console, the reports and JUnit list it with the
// other thresholds, and a chart can draw the fitted curve from the result file alone.
// threshold.hpp includes this file: the parts do not depend on it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace perfcheck {

class json_reader;
struct threshold_outcome;

/// What a complexity gate found over one group of levels (every level, or those with the other
/// parameters at the values of `threshold_outcome::at`).
struct complexity_part {
  std::string parameter;     ///< the parameter the bound is stated in, e.g. "n"
  std::string bound;         ///< the declared class: "1", "log n", "n", "n log n", "n^2", "n^3"
  std::string fitted;        ///< the class chosen by the fit, same names; "" when not fitted
  double intercept = 0;      ///< the fitted class's y = intercept + coefficient * g(n), base unit
  double coefficient = 0;    ///< base unit per unit of g(n) (natural log in log n, n log n)
  double slope = 0;          ///< log-log slope of the metric on the parameter
  double slope_low = 0;      ///< its 95% interval
  double slope_high = 0;
  double p_value = 1;        ///< the wild-bootstrap p of "grows no faster than bound"
  double p_adjusted = 1;     ///< Holm-adjusted over the test's complexity gates
  double alpha = 0.01;       ///< the level the adjusted p was compared with
  std::size_t points = 0;    ///< runs fitted
  std::size_t levels = 0;    ///< distinct values of the parameter fitted
  bool operator==(const complexity_part&) const = default;
};

/// What a breaking point found over one group of levels. The gate is `expr` of the outcome
/// (its parts are the inner threshold's); this part is the level found and the optional
/// comparison the breaking point is gated with.
struct breaking_point_part {
  std::string parameter;               ///< e.g. "concurrency"
  std::optional<std::string> level;    ///< the last level before the first failing one; none: the first fails
  std::string first_failed;            ///< the first level where the inner gate fails; "" when none fails
  std::string op;                      ///< the gate on the breaking point (">=" of `>= 20`); "": reported only
  double limit = 0;                    ///< with op: the level it is compared with
  bool operator==(const breaking_point_part&) const = default;
};

/// "fitted n^2, log-log slope 1.98 [1.91, 2.05], p 0.001 (Holm)" or "breaking point 40 (fails at
/// 400)": the figure of a series outcome for the console and the reports; "" for a plain one.
std::string series_outcome_value(const threshold_outcome& outcome);

/// Whether the outcome is a complexity gate or a breaking point (its `value` is not a value of
/// the expression's metric, so charts do not draw it as a threshold line).
bool is_series_outcome(const threshold_outcome& outcome);

/// The JSON objects "complexity" and "breaking_point" of an outcome.
boost::json::value complexity_part_to_json(const complexity_part& part);
boost::json::value breaking_point_part_to_json(const breaking_point_part& part);

/// Reads them back; bad fields throw usage_error naming the reader's place.
complexity_part complexity_part_from_json(const json_reader& reader);
breaking_point_part breaking_point_part_from_json(const json_reader& reader);

}  // namespace perfcheck
