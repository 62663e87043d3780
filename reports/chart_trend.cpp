// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The trend chart: a test's headline statistic over its history, with bands, thresholds, the
// baseline, change points and segment means (templates/trend.gp.tpl).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/chart_plan.hpp"
#include "reports/series_thinning.hpp"
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
    bands.push_back(sampled
                        ? band{f.bands->p25, f.bands->p75, f.bands->p5, f.bands->p95}
                        : band{f.summary.ci_low, f.summary.ci_high, f.summary.min, f.summary.p95});
  }
  return bands;
}

// The most points a trend draws. The plot is about 660 px wide: 200 points are one every 3.3 px,
// about as dense as the tooltip dots (2.2 px radius) can still be hovered one by one; each drawn
// point costs about 200 bytes of SVG (band and line vertices, a tooltip).
constexpr std::size_t trend_point_budget = 200;

// A threshold on the chart's metric (any statistic, no level).
struct trend_limit {
  std::string expr;
  double value = 0;  // base unit
};

std::vector<trend_limit> limits_of(const test_row& row) {
  std::vector<trend_limit> out;
  if (!row.current) return out;
  for (const auto& t : row.current->thresholds) {
    if (t.at != row.test->trend_level) continue;  // a sweep's: those checked at the trend level
    const auto mark = threshold_mark_of(t);
    if (mark && mark->metric == row.metric && !mark->has_level)
      out.push_back({mark->text, mark->limit});
  }
  return out;
}

// The positions in row.series that the chart draws (an LTTB selection, ascending), and those
// that it must keep: the results on both sides of every change point, every failed, regressed
// or error result, the current one and the newest (ascending, unique). Those keep a whole
// tooltip in the page when scripts do not run.
struct kept_set {
  std::vector<std::size_t> drawn, always;
};

kept_set kept_points(const test_row& row) {
  kept_set out;
  std::vector<std::size_t>& always = out.always;
  for (std::size_t c : row.segments.changepoints) {
    if (c > 0) always.push_back(c - 1);
    always.push_back(c);
  }
  const auto& history = row.test->history;
  for (std::size_t k = 0; k < row.series.size(); ++k) {
    const std::size_t i = row.series_index[k];
    const verdict v = history[i].outcome;
    if (v == verdict::failed || v == verdict::regressed || v == verdict::error ||
        row.test->current == i) {
      always.push_back(k);
    }
  }
  if (!row.series.empty()) always.push_back(row.series.size() - 1);
  std::sort(always.begin(), always.end());
  always.erase(std::unique(always.begin(), always.end()), always.end());
  out.drawn = thin_series(row.series, always, trend_point_budget);
  return out;
}

std::vector<tip_point> trend_points(const test_row& row, const kept_set& kept) {
  std::vector<tip_point> points;
  points.reserve(kept.drawn.size());
  const auto& history = row.test->history;
  for (std::size_t k : kept.drawn) {
    const std::size_t i = row.series_index[k];
    const auto& r = history[i];
    const std::string commit = r.commit.empty() ? "no commit" : short_commit(r.commit);
    std::string when = r.date.substr(0, 16);
    if (when.size() > 10) when[10] = ' ';
    tip_point& p = points.emplace_back();
    p.x = static_cast<double>(k + 1);
    p.y = row.series[k];
    p.key = fmt::format("{} · {} · {}", commit, when, row.statistic);
    p.tip = format_quantity(row.series[k], row.kind);
    p.tail = fmt::format(" · {}", to_string(r.outcome));
    p.css = row.test->current == i ? "pt cur" : "pt";
    p.titled = std::binary_search(kept.always.begin(), kept.always.end(), k);
  }
  return points;
}

// Index 0 of the data file: x and the line, one row per drawn point.
std::string trend_line(const test_row& row, const std::vector<std::size_t>& kept, double d) {
  std::string data;
  data.reserve(kept.size() * 16);
  for (std::size_t k : kept) data += fmt::format("{}\t{}\n", k + 1, num(row.series[k] / d));
  return data;
}

// The most rows a band is drawn from. A band is a soft fill behind the line, each of its rows
// two polygon vertices per band; 100 rows (one per 6.6 px) show its course, and the envelope
// below keeps every extreme.
constexpr std::size_t band_row_budget = 100;

// The bands' data set: x, inner low/high, outer low/high. With more drawn points than
// band_row_budget, consecutive points are merged into groups of equal count, each row the
// envelope of its group (lowest low, highest high) at the group's middle x; the first and the
// last row sit at the first and the last drawn x, so the band spans the line.
std::string trend_bands(const std::vector<band>& bands, const std::vector<std::size_t>& kept,
                        double d) {
  const std::size_t n = kept.size();
  const std::size_t groups = std::min(n, band_row_budget);
  std::string data;
  data.reserve(groups * 40);
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t from = g * n / groups, to = (g + 1) * n / groups;  // [from, to)
    band e = bands[kept[from]];
    for (std::size_t j = from + 1; j < to; ++j) {
      const band& b = bands[kept[j]];
      e = {std::min(e.inner_lo, b.inner_lo), std::max(e.inner_hi, b.inner_hi),
           std::min(e.outer_lo, b.outer_lo), std::max(e.outer_hi, b.outer_hi)};
    }
    const double x = g == 0           ? static_cast<double>(kept.front() + 1)
                     : g + 1 == groups ? static_cast<double>(kept.back() + 1)
                                       : (static_cast<double>(kept[from] + kept[to - 1]) / 2 + 1);
    data += fmt::format("{}\t{}\t{}\t{}\t{}\n", num(x), num(e.inner_lo / d), num(e.inner_hi / d),
                        num(e.outer_lo / d), num(e.outer_hi / d));
  }
  return data;
}

// The label of a tic at a result: its date; "12-01 10:42" when dates repeat among the tics; its
// commit when those repeat too; else the result's number.
enum class tic_style { date, time, commit, number };

std::string tic_text(const report_result& r, std::size_t k, tic_style style) {
  switch (style) {
    case tic_style::date:
      return r.date.size() >= 10 ? tic_label(short_date(r.date)) : "";
    case tic_style::time:
      return r.date.size() >= 16
                 ? gnuplot_safe(fmt::format("{} {}", r.date.substr(5, 5), r.date.substr(11, 5)))
                 : "";
    case tic_style::commit:
      return r.commit.empty() ? "" : tic_label(short_commit(r.commit));
    case tic_style::number:
      break;
  }
  return fmt::format("#{}", k);
}

// Up to six tics, evenly spread, labelled in the first style that tells them all apart.
std::string trend_tics(const test_row& row) {
  const std::size_t n = row.series.size();
  const std::size_t tic_count = std::min<std::size_t>(n, 6);
  std::vector<std::size_t> ks;  // 1-based positions
  for (std::size_t j = 0; j < tic_count; ++j) {
    const std::size_t k = tic_count == 1 ? 1 : 1 + j * (n - 1) / (tic_count - 1);
    if (ks.empty() || ks.back() != k) ks.push_back(k);
  }
  std::vector<std::string> labels;
  for (tic_style style : {tic_style::date, tic_style::time, tic_style::commit, tic_style::number}) {
    labels.clear();
    for (std::size_t k : ks)
      labels.push_back(tic_text(row.test->history[row.series_index[k - 1]], k, style));
    std::vector<std::string> sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    const bool distinct = std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
    if (distinct &&
        std::none_of(labels.begin(), labels.end(), [](const auto& l) { return l.empty(); }))
      break;
  }
  std::string tics;
  for (std::size_t j = 0; j < ks.size(); ++j) tics += fmt::format("{}\t{}\n", ks[j], labels[j]);
  return tics;
}

// Horizontal lines across the chart: the thresholds inside the y range and the baseline; a
// threshold outside the range is written at the edge it lies beyond, with its value.
void add_levels(ctemplate::TemplateDictionary& dict, data_file& file, const test_row& row,
                const frame& g, const std::vector<trend_limit>& limits) {
  const double d = g.unit.divisor;
  const std::string x0 = num(g.x_lo), x1 = num(g.x_hi);
  std::string inside, above, below;
  for (const auto& limit : limits) {
    const double v = limit.value / d;
    std::string& edge = v > g.y_hi ? above : below;
    if (v >= g.y_lo && v <= g.y_hi)
      inside += fmt::format("{}\t{}\n{}\t{}\n\n", x0, num(v), x1, num(v));
    else
      edge += (edge.empty() ? "" : ", ") + format_quantity(limit.value, row.kind);
  }
  if (!inside.empty())
    dict.SetValueAndShowSection("INDEX", std::to_string(file.add(std::move(inside))), "LIMITS");
  if (!above.empty()) dict.SetValueAndShowSection("VALUES", above, "LIMIT_ABOVE");
  if (!below.empty()) dict.SetValueAndShowSection("VALUES", below, "LIMIT_BELOW");
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

std::string limits_caption(const std::vector<trend_limit>& limits, const frame& g) {
  std::string inside, outside;
  for (const auto& limit : limits) {
    const double v = limit.value / g.unit.divisor;
    std::string& list = v >= g.y_lo && v <= g.y_hi ? inside : outside;
    list += (list.empty() ? "" : ", ") + limit.expr;
  }
  std::string caption;
  if (!inside.empty()) caption += "Dashed red: threshold " + inside + ". ";
  if (!outside.empty()) {
    caption += "Threshold " + outside +
               " lies outside the data's range: its value is written at the edge it lies beyond. ";
  }
  return caption;
}

// " at level n=500 (of 3 levels: the last level with the worst verdict)" for a sweep; "" else.
std::string trend_level_words(const report_test& test) {
  if (test.trend_level.empty()) return "";
  return fmt::format(" at level {} (of {} levels: the last level with the worst verdict)",
                     test.trend_level, test.levels.size());
}

std::string trend_caption(const test_row& row, bool sampled, std::size_t drawn,
                          const std::vector<trend_limit>& limits, const frame& g) {
  const std::size_t n = row.series.size();
  std::string caption = fmt::format(
      "{} {}{} of each of {} result{}, oldest to newest (hover a point for its commit and date). ",
      row.metric, row.statistic, trend_level_words(*row.test), n, n == 1 ? "" : "s");
  if (drawn < n) {
    caption += fmt::format(
        "{} of them drawn, picked by largest-triangle-three-buckets (Steinarsson 2013) with every "
        "change point, failure and the current result kept; report.json has them all. ",
        drawn);
  }
  caption += sampled ? "Bands: p25-p75 (dark) and p5-p95 (light) of each result's runs. "
                     : "Bands: the 95% confidence interval of the median (dark) and min-p95 "
                       "(light) of each result's runs (no samples stored for p5/p25/p75). ";
  if (drawn > band_row_budget) {
    caption += fmt::format(
        "Each band's {} steps are the envelope of about {} neighbouring points. ", band_row_budget,
        (drawn + band_row_budget - 1) / band_row_budget);
  }
  caption += limits_caption(limits, g);
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
  const bool sampled = sampled_bands(row);
  const std::vector<band> bands = bands_of(row, sampled);
  // The y range holds the data, its bands and the baseline; thresholds far from the data would
  // squash it, so they are marked at the edge instead.
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (std::size_t k = 0; k < row.series.size(); ++k) {
    lo = std::min({lo, row.series[k], bands[k].outer_lo, bands[k].inner_lo});
    hi = std::max({hi, row.series[k], bands[k].outer_hi, bands[k].inner_hi});
  }
  if (row.change) {
    lo = std::min(lo, row.change->baseline_value);
    hi = std::max(hi, row.change->baseline_value);
  }
  chart_plan p;
  frame& g = p.geometry;
  g.x_lo = 0.5;
  g.x_hi = static_cast<double>(row.series.size()) + 0.5;
  fit_y(g, row.kind, lo, hi);
  const auto limits = limits_of(row);
  const auto kept = kept_points(row);

  data_file file;
  ctemplate::TemplateDictionary dict("trend");
  file.add(trend_line(row, kept.drawn, g.unit.divisor));
  dict.SetIntValue("BANDS", file.add(trend_bands(bands, kept.drawn, g.unit.divisor)));
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
  p.weight = kept.drawn.size() + 50;
  p.caption = trend_caption(row, sampled, kept.drawn.size(), limits, g);
  p.points = trend_points(row, kept);
  return p;
}

}  // namespace perfcheck::reports::detail
