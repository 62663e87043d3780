// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The memory chart: the resident memory of the process tree during the run that used the most,
// with its peak marked (templates/memory.gp.tpl).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/chart_plan.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

chart_plan plan_memory(const test_row& row, const std::string& stem) {
  const auto& m = row.test->memory;
  double lo = HUGE_VAL, hi = -HUGE_VAL, t_end = 0;
  for (const auto& point : m) {
    lo = std::min(lo, point.rss_bytes);
    hi = std::max(hi, point.rss_bytes);
    t_end = std::max(t_end, point.seconds);
  }
  chart_plan p;
  frame& g = p.geometry;
  g = small_frame();
  g.x_lo = 0;
  g.x_hi = t_end > 0 ? t_end : 1;
  fit_y(g, unit_kind::size, std::min(lo, 0.0), hi);
  for (const auto& point : m)
    p.data += fmt::format("{}\t{}\n", num(point.seconds), num(point.rss_bytes / g.unit.divisor));
  ctemplate::TemplateDictionary dict("memory");
  set_frame(dict, g, stem);
  dict.SetValue("Y_LABEL", fmt::format("RSS ({})", g.unit.name));
  dict.SetValue("DATA", stem + ".dat");
  expand_template("memory.gp.tpl", dict, p.script);
  p.weight = m.size() + 30;
  p.caption = fmt::format(
      "Resident memory (RSS) of the process tree during the current result's run, {} samples "
      "over {:.2f} s; the dot marks the peak, {}.",
      m.size(), t_end, format_size(hi));
  const auto peak = std::max_element(
      m.begin(), m.end(), [](const auto& a, const auto& b) { return a.rss_bytes < b.rss_bytes; });
  if (peak != m.end()) {
    p.points.push_back(
        {peak->seconds, peak->rss_bytes,
         fmt::format("peak {} at {:.2f} s", format_size(peak->rss_bytes), peak->seconds),
         "pt peak", {}, {}, true});
  }
  return p;
}

}  // namespace perfcheck::reports::detail
