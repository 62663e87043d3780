// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/trend_level.hpp"

#include "perfcheck/run/sweep.hpp"

namespace perfcheck::reports {

namespace {

// A capacity search (perfcheck load --capacity): steps as points, the rate found the whole's, no
// runs of a command (which might report a metric of that name).
bool is_capacity_search(const run_result& result) {
  return result.runs.empty() && !result.points.empty() && result.summary.contains("capacity");
}

}  // namespace

point_view trend_point(const run_result& result) {
  // A plain test's one point; a capacity search's whole, whose figure is the rate found.
  if (result.points.empty() || is_capacity_search(result)) return {"", &result.runs, &result.summary};
  const result_point* chosen = &result.points.back();
  for (auto p = result.points.rbegin(); p != result.points.rend(); ++p) {
    if (p->outcome != chosen->outcome && run::worst_of(p->outcome, chosen->outcome) == p->outcome) chosen = &*p;
  }
  return {to_string(chosen->at), &chosen->runs, &chosen->summary};
}

std::string headline_metric_of(const run_result& result, const point_view& at) {
  if (at.summary->contains("instructions")) return "instructions";
  if (is_capacity_search(result)) return "capacity";
  // A load run: no runs of a command, and requests counted (even when none was answered).
  if (at.runs->empty() && (at.summary->contains("latency") || at.summary->contains("requests"))) return "latency";
  return "wall";
}

}  // namespace perfcheck::reports
