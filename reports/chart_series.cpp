// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The series chart: the headline statistic per level of the current result (concurrency, input
// sizes), with the median's 95% interval (templates/series.gp.tpl).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/chart_plan.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

std::vector<series_level> series_levels(const test_row& row) {
  std::vector<series_level> out;
  if (!row.current) return out;
  const bool median = row.statistic == "median";
  for (const auto& level : row.test->levels) {
    for (const auto& m : level.metrics) {
      if (m.metric != row.metric || m.summary.n == 0) continue;
      const double v = *m.summary.get(row.statistic);
      out.push_back(
          {level.level, v, median ? m.summary.ci_low : v, median ? m.summary.ci_high : v});
    }
  }
  return out;
}

tip_point series_tip(const test_row& row, const series_level& l, double x) {
  return {
      x, l.value,
      fmt::format("level {}: {} {}{}", l.level, row.statistic, format_quantity(l.value, row.kind),
                  row.statistic == "median"
                      ? fmt::format(" (95% CI {} to {})", format_quantity(l.low, row.kind),
                                    format_quantity(l.high, row.kind))
                      : ""),
      "pt", {}, {}, true};
}

bool has_levels(const test_row& row) { return !series_levels(row).empty(); }

chart_plan plan_series(const test_row& row, const std::string& stem) {
  // A sweep of one numeric parameter is drawn against its values; other levels by position.
  if (const auto axis = sweep_axis_of(row)) return plan_sweep_series(row, *axis, stem);
  const auto levels = series_levels(row);
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (const auto& l : levels) lo = std::min(lo, l.low), hi = std::max(hi, l.high);
  chart_plan p;
  frame& g = p.geometry;
  g = small_frame();
  g.x_lo = 0.5;
  g.x_hi = static_cast<double>(levels.size()) + 0.5;
  fit_y(g, row.kind, lo, hi);
  const double d = g.unit.divisor;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    p.data +=
        fmt::format("{}\t{}\t{}\t{}\t{}\n", i + 1, num(levels[i].value / d), num(levels[i].low / d),
                    num(levels[i].high / d), tic_label(levels[i].level));
    p.points.push_back(series_tip(row, levels[i], static_cast<double>(i + 1)));
  }
  ctemplate::TemplateDictionary dict("series");
  set_frame(dict, g, stem);
  dict.SetValue("Y_LABEL", axis_label(row, g.unit));
  dict.SetValue("DATA", stem + ".dat");
  dict.SetValue("LINE_TITLE", row.statistic);
  expand_template("series.gp.tpl", dict, p.script);
  p.weight = levels.size() + 30;
  p.caption =
      fmt::format("{} {} per level of the series ({} levels) in the current result{}.", row.metric,
                  row.statistic, levels.size(),
                  row.statistic == "median" ? "; bars: 95% confidence interval of the median" : "");
  return p;
}

}  // namespace perfcheck::reports::detail
