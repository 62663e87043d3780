// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The series chart of a sweep over one numeric parameter: the headline statistic against the
// parameter's value (a log axis for a geometric sweep), the median's 95% interval as a band, and
// the thresholds that address every level as lines, and what the gates across the levels found
// (chart_sweep_gates.cpp; templates/sweep.gp.tpl).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "reports/chart_plan.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

namespace {

// "n=500" → ("n", 500); nullopt for anything else (several parameters, a word, "16").
std::optional<std::pair<std::string, double>> numeric_level(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || text.find_first_of("=,", eq + 1) != std::string_view::npos)
    return std::nullopt;
  const std::string_view value = text.substr(eq + 1);
  double v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(v)) return std::nullopt;
  return std::pair{std::string(text.substr(0, eq)), v};
}

// Coefficient of variation (standard deviation over the mean's magnitude); 0 for fewer than
// two values or a zero mean.
double variation(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  double mean = 0, sq = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  for (double x : v) sq += (x - mean) * (x - mean);
  return mean == 0 ? 0 : std::sqrt(sq / static_cast<double>(v.size() - 1)) / std::fabs(mean);
}

// Geometric: every value positive, and the values grow by a factor rather than by a step (their
// successive ratios vary less than their successive differences); two values: a factor of 10
// or more apart.
bool geometric(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  if (values.front() <= 0) return false;
  if (values.size() == 2) return values[1] / values[0] >= 10;
  std::vector<double> ratios, steps;
  for (std::size_t i = 1; i < values.size(); ++i) {
    ratios.push_back(values[i] / values[i - 1]);
    steps.push_back(values[i] - values[i - 1]);
  }
  return variation(ratios) < variation(steps);
}

// Lines across the chart for the thresholds on the row's metric that address every level
// (each is recorded once per level: drawn once), inside the y range.
std::string threshold_lines(const test_row& row, const frame& g, std::string& caption) {
  std::string lines;
  std::set<std::string> seen;
  if (!row.current) return lines;
  for (const auto& t : row.current->thresholds) {
    const auto mark = threshold_mark_of(t);
    if (!mark || mark->metric != row.metric || mark->has_level || !seen.insert(mark->text).second) continue;
    const double v = mark->limit / g.unit.divisor;
    if (v < g.y_lo || v > g.y_hi) continue;
    lines += fmt::format("{}\t{}\n{}\t{}\n\n", num(g.x_lo), num(v), num(g.x_hi), num(v));
    caption += (caption.empty() ? "" : ", ") + mark->text;
  }
  return lines;
}

}  // namespace

std::optional<sweep_axis> sweep_axis_of(const test_row& row) {
  const auto levels = series_levels(row);
  if (levels.size() < 2) return std::nullopt;
  sweep_axis axis;
  std::vector<double> values;
  for (const auto& l : levels) {
    const auto parsed = numeric_level(l.level);
    if (!parsed || (!axis.parameter.empty() && parsed->first != axis.parameter)) return std::nullopt;
    axis.parameter = parsed->first;
    values.push_back(parsed->second);
  }
  axis.log = geometric(values);
  for (double v : values) axis.x.push_back(axis.log ? std::log10(v) : v);
  return axis;
}

chart_plan plan_sweep_series(const test_row& row, const sweep_axis& axis, const std::string& stem) {
  const auto levels = series_levels(row);
  std::vector<std::size_t> order(levels.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return axis.x[a] < axis.x[b]; });
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (const auto& l : levels) lo = std::min(lo, l.low), hi = std::max(hi, l.high);
  chart_plan p;
  frame& g = p.geometry;
  g = small_frame();
  g.bottom = 0.2;  // room for the parameter's name under the tics
  const double x_min = axis.x[order.front()], x_max = axis.x[order.back()];
  const double pad = (x_max - x_min) * 0.05;
  g.x_lo = x_min - pad;
  g.x_hi = x_max + pad;
  fit_y(g, row.kind, lo, hi);
  const double d = g.unit.divisor;
  data_file file;
  std::string points;
  for (std::size_t i : order) {
    const auto& l = levels[i];
    points += fmt::format("{}\t{}\t{}\t{}\t{}\n", num(axis.x[i]), num(l.value / d), num(l.low / d),
                          num(l.high / d), tic_label(l.level.substr(axis.parameter.size() + 1)));
    p.points.push_back(series_tip(row, l, axis.x[i]));
  }
  file.add(std::move(points));
  ctemplate::TemplateDictionary dict("sweep");
  set_frame(dict, g, stem);
  dict.SetValue("Y_LABEL", axis_label(row, g.unit));
  dict.SetValue("X_LABEL", axis.parameter + (axis.log ? " (log scale)" : ""));
  dict.SetValue("DATA", stem + ".dat");
  dict.SetValue("LINE_TITLE", row.statistic);
  const bool median = row.statistic == "median";
  if (median) dict.ShowSection("BAND");
  std::string drawn;
  if (std::string lines = threshold_lines(row, g, drawn); !lines.empty())
    dict.SetValueAndShowSection("INDEX", std::to_string(file.add(std::move(lines))), "LIMITS");
  std::string gates;
  add_series_gates(row, axis, g, file, dict, gates);
  expand_template("sweep.gp.tpl", dict, p.script);
  p.data = file.text();
  p.weight = levels.size() + 30;
  p.caption = fmt::format("{} {} against {}{} at each of the {} levels of the current result{}{}{}.",
                          row.metric, row.statistic, axis.parameter, axis.log ? " (log scale: a geometric sweep)" : "",
                          levels.size(), median ? "; band: 95% confidence interval of the median" : "",
                          drawn.empty() ? "" : "; dashed red: threshold " + drawn, gates);
  return p;
}

}  // namespace perfcheck::reports::detail
