// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/threshold_expr.hpp"

#include <algorithm>

namespace perfcheck::gate {

std::optional<double> measured_value(const threshold_expr& expr, const run_result& result) {
  if (expr.source == subject_source::count && expr.metric == "errors") {
    // A concurrency level's copies that failed, crashed or were stopped by a limit.
    const auto errors = static_cast<double>(std::count_if(
        result.runs.begin(), result.runs.end(), [](const run_sample& s) { return s.failed() || s.stopped_by_limit(); }));
    if (expr.statistic == "count") return errors;
    if (result.runs.empty()) return std::nullopt;
    return errors / static_cast<double>(result.runs.size());
  }
  if (expr.source == subject_source::count) {
    return static_cast<double>(std::count_if(result.runs.begin(), result.runs.end(),
                                             [](const run_sample& s) { return s.failed(); }));
  }
  if (expr.source == subject_source::soak) {
    const auto trend = result.trends.find(expr.metric);
    if (trend == result.trends.end()) return std::nullopt;
    // No evidence of a trend (Mann-Kendall p >= 0.05): noise, not growth.
    if (!trend->second.significant) return 0.0;
    return expr.statistic == "slope" ? trend->second.slope : trend->second.change;
  }
  const auto it = result.summary.find(expr.metric);
  if (it == result.summary.end() || it->second.n == 0) return std::nullopt;
  return it->second.get(expr.statistic);
}

bool holds(const threshold_expr& expr, double value) {
  switch (expr.op) {
    case comparison::less: return value < expr.limit;
    case comparison::less_equal: return value <= expr.limit;
    case comparison::greater: return value > expr.limit;
    case comparison::greater_equal: return value >= expr.limit;
    case comparison::equal: return value == expr.limit;
    case comparison::not_equal: return value != expr.limit;
  }
  return false;
}

}  // namespace perfcheck::gate
