// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What the gates across a sweep's levels add to its series chart, from the result file alone: a
// complexity gate's fitted curve y = intercept + coefficient * g(n) and a breaking point's level
// as a vertical line (the FIT and BREAK sections of templates/sweep.gp.tpl).
#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "perfcheck/gate/series_gates.hpp"
#include "perfcheck/stats/complexity.hpp"
#include "reports/chart_plan.hpp"

namespace perfcheck::reports::detail {

namespace {

// Points of a fitted curve, evenly spaced on the chart's x axis (its log10 on a log axis): a
// curve of 64 segments looks smooth at the small charts' 380 px width.
constexpr int curve_steps = 64;

// Whether the outcome is a gate across every level of the chart's parameter: a group of levels
// (`at`: the other parameters' values) is not what a chart of one parameter shows.
bool on_axis(const threshold_outcome& t, const std::string& parameter, const std::string& part_parameter) {
  return t.typed && t.at.empty() && part_parameter == parameter;
}

// "y = 1.20 ms + 3.00 us * n ln n": the fitted curve in the metric's unit, with the natural log
// the fit uses ("y = 2.00 ms" for the constant class).
std::string curve_formula(const complexity_part& c, stats::growth cls, unit_kind kind) {
  const std::string& n = c.parameter;
  std::string term;
  switch (cls) {
    case stats::growth::constant: return "y = " + format_quantity(c.intercept, kind);
    case stats::growth::log_n: term = "ln " + n; break;
    case stats::growth::linear: term = n; break;
    case stats::growth::n_log_n: term = n + " ln " + n; break;
    case stats::growth::quadratic: term = n + "^2"; break;
    case stats::growth::cubic: term = n + "^3"; break;
  }
  return fmt::format("y = {} + {} * {}", format_quantity(c.intercept, kind), format_quantity(c.coefficient, kind),
                     term);
}

// (x, fitted value in the display unit) over the chart's x range where n > 0 (g(n) of the
// log classes, and every fit, is defined for n > 0 only).
std::string fit_curve(const complexity_part& part, stats::growth cls, const sweep_axis& axis, const frame& g) {
  std::string out;
  for (int i = 0; i <= curve_steps; ++i) {
    const double x = g.x_lo + (g.x_hi - g.x_lo) * i / curve_steps;
    const double n = axis.log ? std::pow(10.0, x) : x;
    if (!(n > 0)) continue;
    const double y = part.intercept + part.coefficient * stats::growth_term(cls, n);
    out += fmt::format("{}\t{}\n", num(x), num(y / g.unit.divisor));
  }
  return out;
}

// A growth class as written in a gate ("n log n", "n^2") stated in the gate's own parameter:
// "size log size", "size^2" for a sweep over `size` ("1" and a parameter named n stay as they are).
std::string class_in(const std::string& cls, const std::string& parameter) {
  if (parameter.empty() || parameter == "n") return cls;
  std::string out;
  std::size_t start = 0;
  while (start <= cls.size()) {
    const std::size_t end = std::min(cls.find(' ', start), cls.size());
    const std::string_view word = std::string_view(cls).substr(start, end - start);
    if (!out.empty()) out += ' ';
    out += word == "n" || word.starts_with("n^") ? parameter + std::string(word.substr(1)) : std::string(word);
    start = end + 1;
  }
  return out;
}

// Adds the fitted curve of one complexity outcome; its key entry is short (the small chart's key
// has room for three lines), the caption has the whole figure.
void add_fit(const threshold_outcome& t, stats::growth cls, const sweep_axis& axis, const frame& g, data_file& file,
             ctemplate::TemplateDictionary& dict, std::string& caption) {
  const complexity_part& c = *t.complexity;
  const std::string curve = fit_curve(c, cls, axis, g);
  if (curve.empty()) return;
  auto* fit = dict.AddSectionDictionary("FIT");
  fit->SetValue("INDEX", std::to_string(file.add(curve)));
  const std::string bound = class_in(c.bound, c.parameter);
  const std::string fitted = class_in(c.fitted, c.parameter);
  const std::string verdict = fmt::format("bound O({}) {}", bound, t.ok ? "met" : "not met");
  fit->SetValue("TITLE", fmt::format("fitted O({}){}", fitted, t.ok ? "" : fmt::format(", O({}) not met", bound)));
  caption += fmt::format("; dash-dot orange: {} fitted O({}), {}, log-log slope {:.2f} [{:.2f}, {:.2f}]: {}",
                         t.expr.text, fitted, curve_formula(c, cls, t.expr.kind), c.slope, c.slope_low,
                         c.slope_high, verdict);
}

// Adds the breaking point's vertical line at the level found (at the first level when that one
// fails already) across the y range, labelled beside its top (not in the small chart's key).
void add_break(const threshold_outcome& t, const sweep_axis& axis, const frame& g, data_file& file,
               ctemplate::TemplateDictionary& dict, std::string& caption) {
  const breaking_point_part& b = *t.breaking_point;
  const std::string& at = b.level ? *b.level : b.first_failed;
  const auto v = gate::level_number(at);
  if (!v || (axis.log && !(*v > 0))) return;
  const double x = axis.log ? std::log10(*v) : *v;
  auto* mark = dict.AddSectionDictionary("BREAK");
  mark->SetValue("INDEX", std::to_string(file.add(fmt::format("{}\t{}\n{}\t{}\n", num(x), num(g.y_lo), num(x),
                                                              num(g.y_hi)))));
  const std::string where = !b.level ? fmt::format("breaking point: fails at the first level {}", at)
                            : b.first_failed.empty()
                                ? fmt::format("breaking point {}, no level fails", at)
                                : fmt::format("breaking point {}, fails at {}", at, b.first_failed);
  const bool missed = !b.op.empty() && !t.ok;
  mark->SetValue("TITLE", fmt::format("{}{}", b.level ? "breaking point " + at : "fails at " + at,
                                      missed ? ", not met" : ""));
  caption += fmt::format("; dotted purple: {}: {}{}", t.expr.text, where,
                         b.op.empty() ? "" : t.ok ? " (gate met)" : " (gate not met)");
  mark->SetValue("X", num(x));
  const bool right_half = x > (g.x_lo + g.x_hi) / 2;
  mark->SetValue("SIDE", right_half ? "right" : "left");
  mark->SetValue("SHIFT", right_half ? "-0.5" : "0.5");
}

}  // namespace

void add_series_gates(const test_row& row, const sweep_axis& axis, const frame& g, data_file& file,
                      ctemplate::TemplateDictionary& dict, std::string& caption) {
  if (!row.current) return;
  for (const auto& t : row.current->thresholds) {
    if (t.complexity && on_axis(t, axis.parameter, t.complexity->parameter) && t.expr.metric == row.metric &&
        t.expr.statistic == row.statistic) {
      if (const auto cls = stats::growth_from_name(t.complexity->fitted)) add_fit(t, *cls, axis, g, file, dict, caption);
    }
  }
  // A breaking point is a level of the sweep: it is marked on the chart of any metric, its
  // inner gate named in the caption.
  for (const auto& t : row.current->thresholds) {
    if (t.breaking_point && on_axis(t, axis.parameter, t.breaking_point->parameter))
      add_break(t, axis, g, file, dict, caption);
  }
}

}  // namespace perfcheck::reports::detail
