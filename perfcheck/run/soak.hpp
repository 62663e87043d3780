// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Trends across a soak (--duration): memory growth and run time drift. See docs/limits.md.
#pragma once

#include <string_view>
#include <vector>

#include "perfcheck/model/result.hpp"

namespace perfcheck::run {

/// The Theil-Sen line and Mann-Kendall test of `y` over `x_ns` (times in ns, ascending), binned
/// to at most 500 points by medians of consecutive groups; slope per second. Fewer than two
/// points: n and nothing else set.
trend_outcome fit_trend(std::vector<double> x_ns, std::vector<double> y);

/// Fills result.trends after a soak: with `once`, "rss" over the single run's memory timeline
/// past its first 20%; otherwise "rss" (tree peak per run), "wall" and "threads" over the
/// measured runs against their cumulative run time. Too few points (under 8): a warning
/// instead, which calls the points `points` ("runs"; a concurrency level's are "rounds",
/// analyze_round_soak). The server's trends too (analyze_server_soak).
void analyze_soak(run_result& result, bool once, std::string_view points = "runs");

}  // namespace perfcheck::run
