// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Which point of a result a report row follows: a plain test's one point, or a sweep's trend
// level (docs/reports.md#sweeps).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "perfcheck/model/result.hpp"

namespace perfcheck::reports {

/// One point of a result, by reference into it (the result must outlive it).
struct point_view {
  std::string level;                                              ///< "" for a plain test
  const std::vector<run_sample>* runs = nullptr;                  ///< its measured runs
  const std::map<std::string, metric_summary>* summary = nullptr;  ///< its summaries
};

/// A plain test's one point, a capacity search's whole result (its trend is the rate found; its
/// steps are its levels), or a sweep's trend level: the last level whose verdict is the worst of
/// the levels' (run::worst_of), so with every level passing the last level (of a sweep declared
/// in increasing order, the largest).
point_view trend_point(const run_result& result);

/// The metric a report row heads with when no regression finding names one: "instructions" for
/// a test that counted them, "capacity" for a capacity search (the rate found, the whole's),
/// "latency" for a load run (`at` has no runs of a command), else "wall".
std::string headline_metric_of(const run_result& result, const point_view& at);

}  // namespace perfcheck::reports
