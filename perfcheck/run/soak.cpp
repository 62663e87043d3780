// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/soak.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "perfcheck/run/server_watch.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "perfcheck/stats/trend.hpp"

namespace perfcheck::run {
namespace {

// Soak analysis (docs/limits.md): a trend is "significant" below this Mann-Kendall p-value.
constexpr double trend_alpha = 0.05;
// With `once`, the first fifth of the run is start-up (loading, caches, pools), not growth.
constexpr double once_warmup_fraction = 0.2;
// Fewer points say nothing about a trend; more than this are binned (Theil-Sen is O(n^2)).
constexpr std::size_t min_trend_points = 8;
constexpr std::size_t max_trend_points = 500;

// Medians of consecutive groups, so that at most max_trend_points remain.
void bin_series(std::vector<double>& x, std::vector<double>& y) {
  if (y.size() <= max_trend_points) return;
  const std::size_t groups = max_trend_points;
  std::vector<double> bx, by;
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t begin = g * y.size() / groups, end = (g + 1) * y.size() / groups;
    if (end <= begin) continue;
    bx.push_back(stats::median(std::vector<double>(x.begin() + long(begin), x.begin() + long(end))));
    by.push_back(stats::median(std::vector<double>(y.begin() + long(begin), y.begin() + long(end))));
  }
  x = std::move(bx);
  y = std::move(by);
}

}  // namespace

trend_outcome fit_trend(std::vector<double> x_ns, std::vector<double> y) {
  trend_outcome t;
  bin_series(x_ns, y);
  t.n = y.size();
  if (y.size() < 2) return t;
  std::vector<double> x_s(x_ns.size());
  for (std::size_t i = 0; i < x_ns.size(); ++i) x_s[i] = (x_ns[i] - x_ns.front()) / 1e9;
  const auto line = stats::theil_sen(x_s, y, 0.95);
  const auto mk = stats::mann_kendall(y, trend_alpha);
  t.slope = line.slope;
  t.slope_low = line.slope_low;
  t.slope_high = line.slope_high;
  t.start = line.intercept;
  t.end = line.intercept + line.slope * x_s.back();
  // Relative to the fitted start; a steep rise from almost nothing can put the fitted line's
  // start at or below 0, and then the smallest value measured is the start (never "0% growth").
  double base = t.start;
  if (!(base > 0)) {
    base = 0;
    for (double v : y)
      if (v > 0 && (base == 0 || v < base)) base = v;
  }
  t.change = base > 0 ? (t.end - base) / base : 0;
  t.p_value = mk.p_value;
  t.tau = mk.tau;
  t.significant = mk.trend != 0;
  t.window_ns = static_cast<std::int64_t>(x_ns.back() - x_ns.front());
  return t;
}

void analyze_soak(run_result& result, bool once, std::string_view points) {
  if (result.runs.empty()) return;
  analyze_server_soak(result, once);
  if (once) {
    const run_sample& run = result.runs.front();
    const double skip = once_warmup_fraction * double(run.wall_ns);
    std::vector<double> x, y, thread_x, threads;
    for (const auto& p : run.memory_timeline) {
      if (double(p.t_ns) < skip) continue;
      x.push_back(double(p.t_ns));
      y.push_back(double(p.rss_bytes));
      if (p.processes == 0) continue;  // the tree was gone (a last sample at exit)
      thread_x.push_back(double(p.t_ns));
      threads.push_back(double(p.threads));
    }
    if (y.size() < min_trend_points) {
      result.warnings.push_back(fmt::format(
          "the run was too short to judge memory growth: {} memory samples after the warm-up (the "
          "first {:.0f}%), {} needed; run longer or sample more often (--sample-interval)",
          y.size(), once_warmup_fraction * 100, min_trend_points));
      return;
    }
    // Timelines written before threads were counted hold zeros: no thread trend then.
    if (threads.size() >= min_trend_points &&
        std::all_of(threads.begin(), threads.end(), [](double t) { return t > 0; })) {
      result.trends["threads"] = fit_trend(std::move(thread_x), std::move(threads));
    }
    result.trends["rss"] = fit_trend(std::move(x), std::move(y));
    return;
  }
  if (result.runs.size() < min_trend_points) {
    result.warnings.push_back(fmt::format(
        "{} {} are too few to judge a trend across the soak ({} needed); give a longer --duration",
        result.runs.size(), points, min_trend_points));
    return;
  }
  std::vector<double> x, rss, wall, threads;
  double at = 0;
  for (const auto& r : result.runs) {
    x.push_back(at);
    rss.push_back(double(r.rss_tree_bytes));
    wall.push_back(double(r.wall_ns));
    threads.push_back(double(r.threads_max));
    at += double(r.wall_ns);
  }
  // Each run's most threads, when the sampler saw every run.
  if (std::all_of(threads.begin(), threads.end(), [](double t) { return t > 0; })) {
    result.trends["threads"] = fit_trend(x, std::move(threads));
  }
  result.trends["rss"] = fit_trend(x, std::move(rss));
  result.trends["wall"] = fit_trend(std::move(x), std::move(wall));
}

}  // namespace perfcheck::run
