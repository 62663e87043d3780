// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The trend chart: a test's headline statistic over its history, with bands, thresholds, the
// baseline, change points and segment means (templates/trend.gp.tpl).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/chart_plan.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

namespace {

struct band {
  double inner_lo, inner_hi, outer_lo, outer_hi;
};

// Whether every result has quantiles from samples (p25-p75, p5-p95 bands); else the bands come
// from the summary (median CI, min-p95).
bool sampled_bands(const test_row& row) {
  for (std::size_t i : row.series_index) {
    const metric_figures* f = row.test->history[i].find(row.metric);
    if (!f || !f->bands) return false;
  }
  return true;
}

std::vector<band> bands_of(const test_row& row, bool sampled) {
  std::vector<band> bands;
  bands.reserve(row.series.size());
  for (std::size_t i : row.series_index) {
    const metric_figures& f = *row.test->history[i].find(row.metric);
    bands.push_back(sampled ? band{f.bands->p25, f.bands->p75, f.bands->p5, f.bands->p95}
                            : band{f.summary.ci_low, f.summary.ci_high, f.summary.min,
                                   f.summary.p95});
  }
  return bands;
}

// Thresholds on the chart's metric (any statistic, no level): expression and limit, base units.
std::vector<std::pair<std::string, double>> limits_of(const test_row& row) {
  std::vector<std::pair<std::string, double>> out;
  if (!row.current) return out;
  for (const auto& t : row.current->thresholds) {
    const auto mark = threshold_mark_of(t);
    if (mark && mark->metric == row.metric && !mark->has_level) out.emplace_back(t.expr, mark->limit);
  }
  return out;
}

std::vector<tip_point> trend_points(const test_row& row) {
  std::vector<tip_point> points;
  points.reserve(row.series.size());
  const auto& history = row.test->history;
  for (std::size_t k = 0; k < row.series.size(); ++k) {
    const std::size_t i = row.series_index[k];
    const auto& r = history[i];
    const std::string commit = r.commit.empty() ? "no commit" : short_commit(r.commit);
    std::string when = r.date.substr(0, 16);
    if (when.size() > 10) when[10] = ' ';
    points.push_back({static_cast<double>(k + 1), row.series[k],
                      fmt::format("{} · {} · {} {} · {}", commit, when, row.statistic,
                                  format_quantity(row.series[k], row.kind), to_string(r.outcome)),
                      row.test->current == i ? "pt cur" : "pt"});
  }
  return points;
}

std::string trend_line(const test_row& row, const std::vector<band>& bands, double d) {
  std::string data;
  data.reserve(row.series.size() * 48);
  for (std::size_t k = 0; k < row.series.size(); ++k) {
    data += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", k + 1, num(row.series[k] / d),
                        num(bands[k].inner_lo / d), num(bands[k].inner_hi / d),
                        num(bands[k].outer_lo / d), num(bands[k].outer_hi / d));
  }
  return data;
}

// Up to six dated tics, evenly spread.
std::string trend_tics(const test_row& row) {
  const std::size_t n = row.series.size();
  std::string tics;
  const std::size_t tic_count = std::min<std::size_t>(n, 6);
  std::size_t previous = 0;
  for (std::size_t j = 0; j < tic_count; ++j) {
    const std::size_t k = tic_count == 1 ? 1 : 1 + j * (n - 1) / (tic_count - 1);
    if (k == previous) continue;
    previous = k;
    const auto& date = row.test->history[row.series_index[k - 1]].date;
    tics += fmt::format("{}\t{}\n", k,
                        date.empty() ? fmt::format("#{}", k) : tic_label(short_date(date)));
  }
  return tics;
}

// Horizontal lines across the chart: the thresholds, the baseline.
void add_levels(ctemplate::TemplateDictionary& dict, data_file& file, const test_row& row,
                const frame& g, const std::vector<std::pair<std::string, double>>& limits) {
  const double d = g.unit.divisor;
  const std::string x0 = num(g.x_lo), x1 = num(g.x_hi);
  if (!limits.empty()) {
    std::string text;
    for (const auto& [expr, v] : limits)
      text += fmt::format("{}\t{}\n{}\t{}\n\n", x0, num(v / d), x1, num(v / d));
    dict.SetValueAndShowSection("INDEX", std::to_string(file.add(std::move(text))), "LIMITS");
  }
  if (row.change) {
    const std::string v = num(row.change->baseline_value / d);
    const int index = file.add(fmt::format("{}\t{}\n{}\t{}\n", x0, v, x1, v));
    dict.SetValueAndShowSection("INDEX", std::to_string(index), "BASELINE");
  }
}

// Change points as verticals and the mean of each segment.
void add_changes(ctemplate::TemplateDictionary& dict, data_file& file, const test_row& row,
                 const frame& g) {
  const auto& cps = row.segments.changepoints;
  if (cps.empty()) return;
  const double d = g.unit.divisor;
  std::string verticals, means;
  for (std::size_t c : cps) {
    const std::string x = num(static_cast<double>(c) + 0.5);
    verticals += fmt::format("{}\t{}\n{}\t{}\n\n", x, num(g.y_lo), x, num(g.y_hi));
  }
  std::size_t begin = 0;
  for (std::size_t s = 0; s <= cps.size(); ++s) {
    const std::size_t end = s < cps.size() ? cps[s] : row.series.size();
    const std::string m = num(row.segments.means[s] / d);
    means += fmt::format("{}\t{}\n{}\t{}\n\n", num(static_cast<double>(begin) + 0.5), m,
                         num(static_cast<double>(end) + 0.5), m);
    begin = end;
  }
  auto* section = dict.AddSectionDictionary("CHANGES");
  section->SetIntValue("CP_INDEX", file.add(std::move(verticals)));
  section->SetIntValue("SEG_INDEX", file.add(std::move(means)));
}

std::string trend_caption(const test_row& row, bool sampled,
                          const std::vector<std::pair<std::string, double>>& limits) {
  const std::size_t n = row.series.size();
  std::string caption = fmt::format(
      "{} {} of each of {} result{}, oldest to newest (hover a point for its commit and date). ",
      row.metric, row.statistic, n, n == 1 ? "" : "s");
  caption += sampled ? "Bands: p25-p75 (dark) and p5-p95 (light) of each result's runs. "
                     : "Bands: the 95% confidence interval of the median (dark) and min-p95 "
                       "(light) of each result's runs (no samples stored for p5/p25/p75). ";
  if (!limits.empty()) {
    caption += "Dashed red: threshold";
    for (std::size_t i = 0; i < limits.size(); ++i) caption += (i ? ", " : " ") + limits[i].first;
    caption += ". ";
  }
  if (row.change) caption += fmt::format("Dotted green: the baseline's {}. ", row.statistic);
  const auto& cps = row.segments.changepoints;
  if (cps.empty())
    return caption + fmt::format("No change point (PELT, penalty {:.1f}).", row.segments.penalty);
  return caption +
         fmt::format(
             "Grey dashes: {} change point{}; orange: the mean of each segment. PELT (Killick et "
             "al. 2012) on the {}, Normal mean-change cost, noise scale {} from successive "
             "differences, penalty 3 ln n = {:.1f}, segments of at least 2 results.",
             cps.size(), cps.size() == 1 ? "" : "s", row.statistic,
             format_quantity(row.segments.sigma, row.kind), row.segments.penalty);
}

}  // namespace

chart_plan plan_trend(const test_row& row, const std::string& stem) {
  const std::size_t n = row.series.size();
  const bool sampled = sampled_bands(row);
  const std::vector<band> bands = bands_of(row, sampled);
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (std::size_t k = 0; k < n; ++k) {
    lo = std::min({lo, row.series[k], bands[k].outer_lo, bands[k].inner_lo});
    hi = std::max({hi, row.series[k], bands[k].outer_hi, bands[k].inner_hi});
  }
  const auto limits = limits_of(row);
  for (const auto& [expr, v] : limits) lo = std::min(lo, v), hi = std::max(hi, v);
  if (row.change) {
    lo = std::min(lo, row.change->baseline_value);
    hi = std::max(hi, row.change->baseline_value);
  }
  chart_plan p;
  frame& g = p.geometry;
  g.x_lo = 0.5;
  g.x_hi = static_cast<double>(n) + 0.5;
  fit_y(g, row.kind, lo, hi);

  data_file file;
  file.add(trend_line(row, bands, g.unit.divisor));
  ctemplate::TemplateDictionary dict("trend");
  set_frame(dict, g, stem);
  dict.SetValue("Y_LABEL", axis_label(row, g.unit));
  dict.SetValue("DATA", stem + ".dat");
  dict.SetValue("LINE_TITLE", row.statistic);
  dict.SetValue("INNER_TITLE", sampled ? "p25-p75" : "median 95% CI");
  dict.SetValue("OUTER_TITLE", sampled ? "p5-p95" : "min-p95");
  dict.SetIntValue("TICS", file.add(trend_tics(row)));
  add_levels(dict, file, row, g, limits);
  add_changes(dict, file, row, g);
  p.data = file.text();
  expand_template("trend.gp.tpl", dict, p.script);
  p.weight = n + 50;
  p.caption = trend_caption(row, sampled, limits);
  p.points = trend_points(row);
  return p;
}

}  // namespace perfcheck::reports::detail
