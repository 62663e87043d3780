// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The distribution chart: every run of this session against every run of the baseline, as
// boxes with whiskers and jittered dots (templates/distribution.gp.tpl).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "perfcheck/stats/descriptive.hpp"
#include "reports/chart_plan.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

namespace {

struct five {
  double p5, p25, p50, p75, p95;
};

five five_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {stats::quantile_sorted(v, 0.05), stats::quantile_sorted(v, 0.25),
          stats::quantile_sorted(v, 0.5), stats::quantile_sorted(v, 0.75),
          stats::quantile_sorted(v, 0.95)};
}

tip_point median_tip(const test_row& row, const char* what, const std::vector<double>& v,
                     double x) {
  const five q = five_of(v);
  return {x, q.p50,
          fmt::format("{}: {} runs, median {}, p25-p75 {} to {}, p5-p95 {} to {}", what, v.size(),
                      format_quantity(q.p50, row.kind), format_quantity(q.p25, row.kind),
                      format_quantity(q.p75, row.kind), format_quantity(q.p5, row.kind),
                      format_quantity(q.p95, row.kind)),
          "pt med", {}, {}, true};
}

// The most runs drawn as dots per side: more would merge into a bar at this width (the box and
// whiskers are computed from every run).
constexpr std::size_t dots_per_side = 40;

// The runs drawn as dots: every run, or `dots_per_side` of them at evenly spread ranks (the
// smallest and the largest included), so the dots keep the shape of the distribution.
std::vector<double> dots_of(const std::vector<double>& v) {
  if (v.size() <= dots_per_side) return v;
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> out;
  out.reserve(dots_per_side);
  for (std::size_t k = 0; k < dots_per_side; ++k)
    out.push_back(sorted[k * (sorted.size() - 1) / (dots_per_side - 1)]);
  return out;
}

// Data set 0 (boxes): x, p25, p5, p95, p75, median; data set 1 (runs): jittered x, value, colour.
std::string distribution_data(const std::vector<double>& baseline,
                              const std::vector<double>& current, double d) {
  std::string boxes, points;
  const auto add = [&](const std::vector<double>& v, int x, const char* color) {
    const five q = five_of(v);
    boxes += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", x, num(q.p25 / d), num(q.p5 / d),
                         num(q.p95 / d), num(q.p75 / d), num(q.p50 / d));
    const std::vector<double> dots = dots_of(v);
    for (std::size_t i = 0; i < dots.size(); ++i) {
      // Deterministic jitter (golden-ratio sequence) so that equal values do not hide each other.
      const double jitter = (std::fmod(static_cast<double>(i) * 0.6180339887, 1.0) - 0.5) * 0.3;
      points += fmt::format("{}\t{}\t{}\n", num(x + jitter), num(dots[i] / d), color);
    }
  };
  if (!baseline.empty()) add(baseline, 1, "0x8a8a8a");
  add(current, 2, "0x1f4e8c");
  data_file file;
  file.add(std::move(boxes));
  file.add(std::move(points));
  return file.text();
}

}  // namespace

std::vector<double> current_values(const test_row& row) {
  if (row.test->samples.empty()) return {};
  auto columns = metric_columns(row.test->samples);
  auto it = columns.find(row.metric);
  return it == columns.end() ? std::vector<double>{} : std::move(it->second);
}

chart_plan plan_distribution(const test_row& row, const std::string& stem) {
  const std::vector<double> current = current_values(row);
  const std::vector<double>& baseline = row.test->baseline_samples;
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (double v : current) lo = std::min(lo, v), hi = std::max(hi, v);
  for (double v : baseline) lo = std::min(lo, v), hi = std::max(hi, v);
  chart_plan p;
  frame& g = p.geometry;
  g = small_frame();
  g.x_lo = 0.4;
  g.x_hi = 2.6;
  fit_y(g, row.kind, lo, hi);
  p.data = distribution_data(baseline, current, g.unit.divisor);
  ctemplate::TemplateDictionary dict("distribution");
  set_frame(dict, g, stem);
  dict.SetValue("Y_LABEL",
                *g.unit.name ? fmt::format("{} ({})", row.metric, g.unit.name) : row.metric);
  dict.SetValue("DATA", stem + ".dat");
  expand_template("distribution.gp.tpl", dict, p.script);
  p.weight = current.size() + baseline.size() + 30;
  p.caption = fmt::format(
      "{} of every run: this session ({} runs){}. Box: p25-p75 with the median; whiskers: "
      "p5-p95; {}.",
      row.metric, current.size(),
      baseline.empty() ? "; no baseline samples stored"
                       : fmt::format(" against the baseline ({} runs)", baseline.size()),
      std::max(current.size(), baseline.size()) > dots_per_side
          ? fmt::format("runs are dots, at most {} per side at evenly spread ranks", dots_per_side)
          : "every run is a dot");
  if (!baseline.empty()) p.points.push_back(median_tip(row, "baseline", baseline, 1));
  p.points.push_back(median_tip(row, "this session", current, 2));
  return p;
}

}  // namespace perfcheck::reports::detail
