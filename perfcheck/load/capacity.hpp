// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A capacity search (docs/load.md, "Capacity"): the open model at rising rates, each step held
// or broken by the run's gates, until the highest rate that held is known to a few percent.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/load/load_report.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/threshold.hpp"

namespace perfcheck::load {

/// What --capacity FROM/s..TO/s asks: the rates searched and each step's length.
struct capacity_range {
  double from = 0;  ///< requests per second, the first step
  double to = 0;    ///< the highest rate tried
  std::int64_t step_ns = 5'000'000'000;
  double resolution = 0.05;  ///< stop when the broken rate is within 5% above the held one
  std::size_t max_steps = 24;
};

/// Reads "FROM/s..TO/s" (e.g. 50/s..5000/s, FROM above 0 and below TO); throws usage_error
/// naming `origin` and the form.
capacity_range parse_capacity(std::string_view text, std::string_view origin);

/// One step of the search: the rate, what it measured, and why it did not hold ("" when it held).
struct capacity_step {
  double rate = 0;
  load_report report;
  std::string broke;
  bool held() const { return broke.empty(); }
};

struct capacity_search {
  std::vector<capacity_step> steps;  ///< in the order they ran
  double capacity = 0;               ///< the highest rate that held; 0 when FROM did not
  bool top_held = false;             ///< TO held: the capacity is TO or more
};

/// Runs the search: FROM, then doubling (at most TO) while steps hold; then halving the gap
/// between the highest rate that held and the lowest that broke (whole requests per second)
/// until it is within `resolution` of the held rate or `max_steps` have run. `run` measures one
/// step at a rate, `judge` says why a step broke ("" when it held), `progress` sees each step.
capacity_search search_capacity(const capacity_range& range, const std::function<load_report(double)>& run,
                                const std::function<std::string(double, const load_report&)>& judge,
                                const std::function<void(const capacity_step&)>& progress = {});

/// Why a step at `rate` broke, "" when it held: a gate of `gates` that did not hold (they are the
/// run's thresholds but those on capacity), fewer than 95% of the rate's responses per second,
/// more than 1% of its starts dropped, or the generator's own lag over a latency gate's tenth.
std::string step_problem(double rate, const load_report& report, const std::vector<threshold_expr>& gates);

/// The thresholds on `capacity` ("capacity >= 500/s") and the others, the gates of each step.
std::pair<std::vector<threshold_expr>, std::vector<threshold_expr>> split_capacity_gates(
    const std::vector<threshold_expr>& thresholds);

/// Makes `whole` the search's result: each step a level rate=R (by rate), its figures and
/// verdict (pass when it held, failed when it broke, the reason a warning), the metric
/// `capacity` (a rate) and the verdict from the capacity gates (without one: FROM must hold).
void add_capacity_points(run_result& whole, const capacity_search& search, const capacity_range& range,
                         const std::vector<threshold_expr>& capacity_gates, const std::string& url);

}  // namespace perfcheck::load
