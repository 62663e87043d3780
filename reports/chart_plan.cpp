// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The frame shared by every chart kind, and the reading of thresholds for charts.
#include "reports/chart_plan.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

display_unit unit_for(unit_kind kind, double largest) {
  const double a = std::fabs(largest);
  switch (kind) {
    case unit_kind::duration:
      if (a < 1e3) return {1, "ns"};
      if (a < 1e6) return {1e3, "us"};
      if (a < 1e9) return {1e6, "ms"};
      return {1e9, "s"};
    case unit_kind::size:
      if (a < 1024) return {1, "B"};
      if (a < 1024.0 * 1024) return {1024, "KiB"};
      if (a < 1024.0 * 1024 * 1024) return {1024.0 * 1024, "MiB"};
      return {1024.0 * 1024 * 1024, "GiB"};
    case unit_kind::rate:
      return {1, "/s"};
    case unit_kind::count:
      break;
  }
  return {1, ""};
}

frame small_frame() {
  frame f;
  f.width = 380;
  f.left = 0.18;
  f.right = 0.97;
  return f;
}

void fit_y(frame& f, unit_kind kind, double lo, double hi) {
  f.unit = unit_for(kind, std::max(std::fabs(lo), std::fabs(hi)));
  lo /= f.unit.divisor;
  hi /= f.unit.divisor;
  double pad = (hi - lo) * 0.08;
  if (!(pad > 0)) pad = std::max(std::fabs(hi) * 0.1, 1.0);
  f.y_lo = lo - pad;
  f.y_hi = hi + pad;
  if (lo >= 0 && f.y_lo < 0) f.y_lo = 0;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "NaN";
  return fmt::format("{:.6g}", v);
}

std::string tic_label(std::string_view text) {
  // gnuplot splits on tabs only here, but a short label without spaces reads better.
  std::string s = gnuplot_safe(text.substr(0, 16));
  for (char& c : s) {
    if (c == ' ') c = '_';
  }
  return s.empty() ? "_" : s;
}

std::string axis_label(const test_row& row, const display_unit& unit) {
  return *unit.name ? fmt::format("{} {} ({})", row.metric, row.statistic, unit.name)
                    : fmt::format("{} {}", row.metric, row.statistic);
}

int data_file::add(std::string block) {
  while (!block.empty() && block.back() == '\n') block.pop_back();
  if (!text_.empty()) text_ += "\n\n\n";  // two blank lines end a data set
  text_ += block;
  return count_++;
}

void set_frame(ctemplate::TemplateDictionary& dict, const frame& g, const std::string& stem) {
  auto* f = dict.AddIncludeDictionary("FRAME");
  f->SetFilename("chart_frame.gp.tpl");
  f->SetValue("SVG_FILE", stem + ".svg");
  f->SetIntValue("WIDTH", g.width);
  f->SetIntValue("HEIGHT", g.height);
  f->SetValue("LEFT", num(g.left));
  f->SetValue("RIGHT", num(g.right));
  f->SetValue("BOTTOM", num(g.bottom));
  f->SetValue("TOP", num(g.top));
  f->SetValue("XLO", num(g.x_lo));
  f->SetValue("XHI", num(g.x_hi));
  f->SetValue("YLO", num(g.y_lo));
  f->SetValue("YHI", num(g.y_hi));
}

std::optional<threshold_mark> threshold_mark_of(const threshold_outcome& outcome) {
  // An expression this version could not parse (history from elsewhere) is listed, not drawn.
  if (!outcome.typed) return std::nullopt;
  // A complexity gate or a breaking point is no line at a value of its metric.
  if (is_series_outcome(outcome)) return std::nullopt;
  const threshold_expr& e = outcome.expr;
  return threshold_mark{e.text, e.metric, e.level.has_value(), e.op, e.limit};
}

}  // namespace perfcheck::reports::detail
