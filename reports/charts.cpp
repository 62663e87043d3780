// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Chart planning (geometry, data files, captions), gnuplot processes, and SVG post-processing.
// Nothing from the history reaches a gnuplot command: scripts come from templates whose values
// pass the x-gp whitelist, data files hold numbers and whitelisted tic labels, and gnuplot runs
// in the temporary folder on file names made of row numbers.
#include "reports/charts.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include <ctemplate/template.h>
#include <fmt/format.h>

#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "reports/svg_sanitizer.hpp"
#include "reports/template_engine.hpp"

extern char** environ;

namespace perfcheck::reports {

namespace fs = std::filesystem;

namespace {

// ---- geometry -------------------------------------------------------------------------------

// A unit to show values of one chart in: value / divisor, labelled `name`.
struct display_unit {
  double divisor = 1;
  const char* name = "";
};

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

// The plot area in screen fractions and the axis ranges: gnuplot gets these numbers (margins
// "at screen", fixed ranges), so the tooltip overlay can place points exactly.
struct frame {
  int width = 760, height = 260;
  double left = 0.09, right = 0.955, bottom = 0.13, top = 0.86;
  double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  display_unit unit;

  double px(double x) const { return width * (left + (x - x_lo) / (x_hi - x_lo) * (right - left)); }
  double py(double y_base) const {
    const double y = y_base / unit.divisor;
    return height * (1 - (bottom + (y - y_lo) / (y_hi - y_lo) * (top - bottom)));
  }
};

frame small_frame() {
  frame f;
  f.width = 380;
  f.left = 0.18;
  f.right = 0.97;
  return f;
}

// Sets the y range from the smallest and largest value drawn (base units), with some air; a
// range that starts near zero starts at zero.
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

// A tic label for a data file: the whitelist of x-gp, without spaces (gnuplot splits on tabs
// only here, but a short label reads better) and at most 16 characters.
std::string tic_label(std::string_view text) {
  std::string s = gnuplot_safe(text.substr(0, 16));
  for (char& c : s) {
    if (c == ' ') c = '_';
  }
  return s.empty() ? "_" : s;
}

// ---- the plan of one chart -------------------------------------------------------------------

struct tip_point {
  double x = 0;     // data units
  double y = 0;     // base units
  std::string tip;  // tooltip text (escaped by the overlay template)
  const char* css = "pt";
};

}  // namespace

struct chart_set::plan {
  std::size_t row = 0;
  chart_kind kind = chart_kind::trend;
  std::string stem;  // file names: <stem>.svg, <stem>.dat, ...
  frame geometry;
  std::string caption;
  std::string script;  // this chart's part of its batch's gnuplot script
  std::size_t weight = 0;
  std::string note;  // set when gnuplot did not draw it
};

namespace {

using plan = chart_set::plan;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    throw std::system_error(errno, std::generic_category(),
                            fmt::format("writing chart data {}", path.string()));
  }
}

// The data of one chart as gnuplot data sets (`index 0`, `index 1`, ...) in one file: fewer
// files to create than one per data set, which counts with hundreds of charts.
class data_file {
 public:
  /// Adds a data set; returns its index.
  int add(std::string block) {
    while (!block.empty() && block.back() == '\n') block.pop_back();
    if (!text_.empty()) text_ += "\n\n\n";  // two blank lines end a data set
    text_ += block;
    return count_++;
  }
  void write(const fs::path& path) {
    text_ += '\n';
    write_text(path, text_);
  }

 private:
  std::string text_;
  int count_ = 0;
};

void set_frame(ctemplate::TemplateDictionary& dict, const plan& p) {
  auto* f = dict.AddIncludeDictionary("FRAME");
  f->SetFilename("chart_frame.gp.tpl");
  const frame& g = p.geometry;
  f->SetValue("SVG_FILE", p.stem + ".svg");
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

std::string axis_label(const test_row& row, const display_unit& unit) {
  return *unit.name ? fmt::format("{} {} ({})", row.metric, row.statistic, unit.name)
                    : fmt::format("{} {}", row.metric, row.statistic);
}

// Thresholds on the chart's metric (any statistic, no level): their limits, base units.
std::vector<std::pair<std::string, double>> limits_of(const test_row& row) {
  std::vector<std::pair<std::string, double>> out;
  if (!row.current) return out;
  for (const auto& t : row.current->thresholds) {
    // An expression this version could not parse is listed in the table, not drawn.
    if (t.typed && t.expr.metric == row.metric && !t.expr.level) out.emplace_back(t.expr.text, t.expr.limit);
  }
  return out;
}

// ---- trend ------------------------------------------------------------------------------------

struct band {
  double inner_lo, inner_hi, outer_lo, outer_hi;
};

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

void plan_trend(const test_row& row, plan& p, const fs::path& dir) {
  const auto& history = row.test->history;
  const std::size_t n = row.series.size();
  bool sampled = true;
  for (std::size_t k = 0; k < n && sampled; ++k) {
    const metric_figures* f = history[row.series_index[k]].find(row.metric);
    sampled = f && f->bands.has_value();
  }
  std::vector<band> bands(n);
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (std::size_t k = 0; k < n; ++k) {
    const metric_figures& f = *history[row.series_index[k]].find(row.metric);
    bands[k] = sampled ? band{f.bands->p25, f.bands->p75, f.bands->p5, f.bands->p95}
                       : band{f.summary.ci_low, f.summary.ci_high, f.summary.min, f.summary.p95};
    lo = std::min({lo, row.series[k], bands[k].outer_lo, bands[k].inner_lo});
    hi = std::max({hi, row.series[k], bands[k].outer_hi, bands[k].inner_hi});
  }
  const auto limits = limits_of(row);
  for (const auto& [expr, v] : limits) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (row.change) {
    lo = std::min(lo, row.change->baseline_value);
    hi = std::max(hi, row.change->baseline_value);
  }
  frame& g = p.geometry;
  g.x_lo = 0.5;
  g.x_hi = static_cast<double>(n) + 0.5;
  fit_y(g, row.kind, lo, hi);
  const double d = g.unit.divisor;

  data_file file;
  std::string data;
  data.reserve(n * 48);
  for (std::size_t k = 0; k < n; ++k) {
    data += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", k + 1, num(row.series[k] / d),
                        num(bands[k].inner_lo / d), num(bands[k].inner_hi / d),
                        num(bands[k].outer_lo / d), num(bands[k].outer_hi / d));
  }
  file.add(std::move(data));

  ctemplate::TemplateDictionary dict("trend");
  set_frame(dict, p);
  dict.SetValue("Y_LABEL", axis_label(row, g.unit));
  dict.SetValue("DATA", p.stem + ".dat");
  dict.SetValue("LINE_TITLE", row.statistic);
  dict.SetValue("INNER_TITLE", sampled ? "p25-p75" : "median 95% CI");
  dict.SetValue("OUTER_TITLE", sampled ? "p5-p95" : "min-p95");

  // Up to six dated tics, evenly spread.
  std::string tics;
  const std::size_t tic_count = std::min<std::size_t>(n, 6);
  std::size_t previous = 0;
  for (std::size_t j = 0; j < tic_count; ++j) {
    const std::size_t k = tic_count == 1 ? 1 : 1 + j * (n - 1) / (tic_count - 1);
    if (k == previous) continue;
    previous = k;
    const auto& date = history[row.series_index[k - 1]].date;
    tics += fmt::format("{}\t{}\n", k,
                        date.empty() ? fmt::format("#{}", k) : tic_label(short_date(date)));
  }
  dict.SetIntValue("TICS", file.add(std::move(tics)));

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
  const auto& cps = row.segments.changepoints;
  if (!cps.empty()) {
    std::string verticals, means;
    for (std::size_t c : cps) {
      const std::string x = num(static_cast<double>(c) + 0.5);
      verticals += fmt::format("{}\t{}\n{}\t{}\n\n", x, num(g.y_lo), x, num(g.y_hi));
    }
    std::size_t begin = 0;
    for (std::size_t s = 0; s <= cps.size(); ++s) {
      const std::size_t end = s < cps.size() ? cps[s] : n;
      const std::string m = num(row.segments.means[s] / d);
      means += fmt::format("{}\t{}\n{}\t{}\n\n", num(static_cast<double>(begin) + 0.5), m,
                           num(static_cast<double>(end) + 0.5), m);
      begin = end;
    }
    auto* section = dict.AddSectionDictionary("CHANGES");
    section->SetIntValue("CP_INDEX", file.add(std::move(verticals)));
    section->SetIntValue("SEG_INDEX", file.add(std::move(means)));
  }
  file.write(dir / (p.stem + ".dat"));
  expand_template("trend.gp.tpl", dict, p.script);
  p.weight = n + 50;

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
  if (cps.empty()) {
    caption += fmt::format("No change point (PELT, penalty {:.1f}).", row.segments.penalty);
  } else {
    caption += fmt::format(
        "Grey dashes: {} change point{}; orange: the mean of each segment. PELT (Killick et al. "
        "2012) on the {}, Normal mean-change cost, noise scale {} from successive differences, "
        "penalty 3 ln n = {:.1f}, segments of at least 2 results.",
        cps.size(), cps.size() == 1 ? "" : "s", row.statistic,
        format_quantity(row.segments.sigma, row.kind), row.segments.penalty);
  }
  p.caption = std::move(caption);
}

// ---- distribution ----------------------------------------------------------------------------

struct five {
  double p5, p25, p50, p75, p95;
};

five five_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {stats::quantile_sorted(v, 0.05), stats::quantile_sorted(v, 0.25),
          stats::quantile_sorted(v, 0.5), stats::quantile_sorted(v, 0.75),
          stats::quantile_sorted(v, 0.95)};
}

std::vector<double> current_values(const test_row& row) {
  if (row.test->samples.empty()) return {};
  auto columns = metric_columns(row.test->samples);
  auto it = columns.find(row.metric);
  return it == columns.end() ? std::vector<double>{} : std::move(it->second);
}

std::vector<tip_point> distribution_points(const test_row& row) {
  std::vector<tip_point> points;
  const auto tip = [&](const char* what, const std::vector<double>& v, double x) {
    const five q = five_of(v);
    points.push_back(
        {x, q.p50,
         fmt::format("{}: {} runs, median {}, p25-p75 {} to {}, p5-p95 {} to {}", what, v.size(),
                     format_quantity(q.p50, row.kind), format_quantity(q.p25, row.kind),
                     format_quantity(q.p75, row.kind), format_quantity(q.p5, row.kind),
                     format_quantity(q.p95, row.kind)),
         "pt med"});
  };
  if (!row.test->baseline_samples.empty()) tip("baseline", row.test->baseline_samples, 1);
  tip("this session", current_values(row), 2);
  return points;
}

void plan_distribution(const test_row& row, plan& p, const fs::path& dir) {
  const std::vector<double> current = current_values(row);
  const std::vector<double>& baseline = row.test->baseline_samples;
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (double v : current) lo = std::min(lo, v), hi = std::max(hi, v);
  for (double v : baseline) lo = std::min(lo, v), hi = std::max(hi, v);
  frame& g = p.geometry;
  g = small_frame();
  g.x_lo = 0.4;
  g.x_hi = 2.6;
  fit_y(g, row.kind, lo, hi);
  const double d = g.unit.divisor;
  std::string boxes, points;
  const auto add = [&](const std::vector<double>& v, int x, const char* color) {
    const five q = five_of(v);
    boxes += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", x, num(q.p25 / d), num(q.p5 / d),
                         num(q.p95 / d), num(q.p75 / d), num(q.p50 / d));
    for (std::size_t i = 0; i < v.size(); ++i) {
      // Deterministic jitter (golden-ratio sequence) so that equal values do not hide each other.
      const double jitter = (std::fmod(static_cast<double>(i) * 0.6180339887, 1.0) - 0.5) * 0.3;
      points += fmt::format("{}\t{}\t{}\n", num(x + jitter), num(v[i] / d), color);
    }
  };
  if (!baseline.empty()) add(baseline, 1, "0x8a8a8a");
  add(current, 2, "0x1f4e8c");
  data_file file;
  file.add(std::move(boxes));   // index 0
  file.add(std::move(points));  // index 1
  file.write(dir / (p.stem + ".dat"));
  ctemplate::TemplateDictionary dict("distribution");
  set_frame(dict, p);
  dict.SetValue("Y_LABEL",
                *g.unit.name ? fmt::format("{} ({})", row.metric, g.unit.name) : row.metric);
  dict.SetValue("DATA", p.stem + ".dat");
  expand_template("distribution.gp.tpl", dict, p.script);
  p.weight = current.size() + baseline.size() + 30;
  p.caption = fmt::format(
      "{} of every run: this session ({} runs){}. Box: p25-p75 with the median; whiskers: "
      "p5-p95; every run is a dot.",
      row.metric, current.size(),
      baseline.empty() ? "; no baseline samples stored"
                       : fmt::format(" against the baseline ({} runs)", baseline.size()));
}

// ---- memory ------------------------------------------------------------------------------------

std::vector<tip_point> memory_points(const test_row& row) {
  const auto& m = row.test->memory;
  const auto peak = std::max_element(
      m.begin(), m.end(), [](const auto& a, const auto& b) { return a.rss_bytes < b.rss_bytes; });
  if (peak == m.end()) return {};
  return {{peak->seconds, peak->rss_bytes,
           fmt::format("peak {} at {:.2f} s", format_size(peak->rss_bytes), peak->seconds),
           "pt peak"}};
}

void plan_memory(const test_row& row, plan& p, const fs::path& dir) {
  const auto& m = row.test->memory;
  double lo = HUGE_VAL, hi = -HUGE_VAL, t_end = 0;
  for (const auto& point : m) {
    lo = std::min(lo, point.rss_bytes);
    hi = std::max(hi, point.rss_bytes);
    t_end = std::max(t_end, point.seconds);
  }
  frame& g = p.geometry;
  g = small_frame();
  g.x_lo = 0;
  g.x_hi = t_end > 0 ? t_end : 1;
  fit_y(g, unit_kind::size, std::min(lo, 0.0), hi);
  std::string data;
  for (const auto& point : m)
    data += fmt::format("{}\t{}\n", num(point.seconds), num(point.rss_bytes / g.unit.divisor));
  write_text(dir / (p.stem + ".dat"), data);
  ctemplate::TemplateDictionary dict("memory");
  set_frame(dict, p);
  dict.SetValue("Y_LABEL", fmt::format("RSS ({})", g.unit.name));
  dict.SetValue("DATA", p.stem + ".dat");
  expand_template("memory.gp.tpl", dict, p.script);
  p.weight = m.size() + 30;
  p.caption = fmt::format(
      "Resident memory (RSS) of the process tree during the current result's run, {} samples "
      "over {:.2f} s; the dot marks the peak, {}.",
      m.size(), t_end, format_size(hi));
}

// ---- series levels ---------------------------------------------------------------------------

struct level_value {
  std::string level;
  double value, low, high;
};

std::vector<level_value> level_values(const test_row& row) {
  std::vector<level_value> out;
  if (!row.current) return out;
  for (const auto& level : row.test->levels) {
    for (const auto& m : level.metrics) {
      if (m.metric != row.metric || m.summary.n == 0) continue;
      const double v = *m.summary.get(row.statistic);
      const bool median = row.statistic == "median";
      out.push_back(
          {level.level, v, median ? m.summary.ci_low : v, median ? m.summary.ci_high : v});
    }
  }
  return out;
}

std::vector<tip_point> series_points(const test_row& row) {
  std::vector<tip_point> points;
  const auto levels = level_values(row);
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const auto& l = levels[i];
    points.push_back(
        {static_cast<double>(i + 1), l.value,
         fmt::format("level {}: {} {}{}", l.level, row.statistic,
                     format_quantity(l.value, row.kind),
                     row.statistic == "median"
                         ? fmt::format(" (95% CI {} to {})", format_quantity(l.low, row.kind),
                                       format_quantity(l.high, row.kind))
                         : ""),
         "pt"});
  }
  return points;
}

void plan_series(const test_row& row, plan& p, const fs::path& dir) {
  const auto levels = level_values(row);
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (const auto& l : levels) lo = std::min(lo, l.low), hi = std::max(hi, l.high);
  frame& g = p.geometry;
  g = small_frame();
  g.x_lo = 0.5;
  g.x_hi = static_cast<double>(levels.size()) + 0.5;
  fit_y(g, row.kind, lo, hi);
  const double d = g.unit.divisor;
  std::string data;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    data +=
        fmt::format("{}\t{}\t{}\t{}\t{}\n", i + 1, num(levels[i].value / d), num(levels[i].low / d),
                    num(levels[i].high / d), tic_label(levels[i].level));
  }
  write_text(dir / (p.stem + ".dat"), data);
  ctemplate::TemplateDictionary dict("series");
  set_frame(dict, p);
  dict.SetValue("Y_LABEL", axis_label(row, g.unit));
  dict.SetValue("DATA", p.stem + ".dat");
  dict.SetValue("LINE_TITLE", row.statistic);
  expand_template("series.gp.tpl", dict, p.script);
  p.weight = levels.size() + 30;
  p.caption =
      fmt::format("{} {} per level of the series ({} levels) in the current result{}.", row.metric,
                  row.statistic, levels.size(),
                  row.statistic == "median" ? "; bars: 95% confidence interval of the median" : "");
}

std::vector<tip_point> points_for(const test_row& row, chart_kind kind) {
  switch (kind) {
    case chart_kind::trend:
      return trend_points(row);
    case chart_kind::distribution:
      return distribution_points(row);
    case chart_kind::memory:
      return memory_points(row);
    case chart_kind::series:
      return series_points(row);
  }
  return {};
}

// ---- gnuplot processes -----------------------------------------------------------------------

// A fresh private folder, removed with everything in it.
class temp_folder {
 public:
  temp_folder() {
    std::string pattern = (fs::temp_directory_path() / "perfcheck-report-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  ~temp_folder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  const fs::path& path() const { return path_; }
  fs::path release() { return std::exchange(path_, fs::path()); }

 private:
  fs::path path_;
};

class spawn_actions {
 public:
  spawn_actions() { posix_spawn_file_actions_init(&actions_); }
  ~spawn_actions() { posix_spawn_file_actions_destroy(&actions_); }
  spawn_actions(const spawn_actions&) = delete;
  spawn_actions& operator=(const spawn_actions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

struct gnuplot_run {
  pid_t pid = -1;
  int spawn_error = 0;  // errno of posix_spawn; ENOENT: not found
  int status = 0;
  std::string log;  // its stdout and stderr
};

// The environment of gnuplot: ours, with HOME pointing at the temporary folder so that no
// ~/.gnuplot changes the charts, and the C locale for numbers.
std::vector<std::string> gnuplot_environment(const fs::path& dir) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("HOME=") || entry.starts_with("LC_ALL=") ||
        entry.starts_with("GNUPLOT_") || entry.starts_with("GNUTERM=")) {
      continue;
    }
    env.emplace_back(entry);
  }
  env.push_back("HOME=" + dir.string());
  env.push_back("LC_ALL=C");
  return env;
}

void start_gnuplot(gnuplot_run& run, const std::string& program, const fs::path& dir,
                   const std::string& script, const std::string& log) {
  spawn_actions actions;
  posix_spawn_file_actions_addchdir_np(actions.get(), dir.c_str());
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(actions.get(), 1, 2);
  const bool path_given = program.find('/') != std::string::npos;
  // The child changes folder before exec, so a relative path is made absolute first.
  const std::string exe = path_given ? fs::absolute(program).string() : program;
  std::vector<std::string> env = gnuplot_environment(dir);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = exe, arg1 = script;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  run.spawn_error =
      path_given ? posix_spawn(&run.pid, exe.c_str(), actions.get(), nullptr, argv, envp.data())
                 : posix_spawnp(&run.pid, exe.c_str(), actions.get(), nullptr, argv, envp.data());
  if (run.spawn_error != 0) run.pid = -1;
}

// Waits for every process, killing any still running after `limit`.
void wait_all(std::vector<gnuplot_run>& runs, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (auto& run : runs) {
    if (run.pid < 0) continue;
    while (true) {
      const pid_t done = ::waitpid(run.pid, &run.status, WNOHANG);
      if (done == run.pid || (done < 0 && errno != EINTR)) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(run.pid, SIGKILL);
        ::waitpid(run.pid, &run.status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether gnuplot finished the file: it ends with the root's end tag.
bool svg_complete(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  const std::streamoff tail = std::min<std::streamoff>(size, 32);
  std::string end(static_cast<std::size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(end.data(), tail);
  return end.find("</svg>") != std::string::npos;
}

// The most telling line of a gnuplot log: the first that names an error, else the last.
std::string error_line(const std::string& log) {
  std::istringstream lines(log);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t^") == std::string::npos) continue;
    if (line.find("rror") != std::string::npos) return line;
    last = line;
  }
  return last.empty() ? "no output" : last;
}

}  // namespace

const char* to_string(chart_kind kind) {
  switch (kind) {
    case chart_kind::trend:
      return "trend";
    case chart_kind::distribution:
      return "distribution";
    case chart_kind::memory:
      return "memory";
    case chart_kind::series:
      return "series";
  }
  return "?";
}

chart_set::chart_set(const report_view& view, const chart_settings& settings) : view_(&view) {
  temp_folder folder;
  for (std::size_t r = 0; r < view.rows.size(); ++r) {
    const test_row& row = view.rows[r];
    const auto add = [&](chart_kind kind, auto planner) {
      plan p;
      p.row = r;
      p.kind = kind;
      p.stem = fmt::format("r{}-{}", r, to_string(kind));
      planner(row, p, folder.path());
      plans_.push_back(std::move(p));
    };
    if (!row.series.empty()) add(chart_kind::trend, plan_trend);
    if (!current_values(row).empty()) add(chart_kind::distribution, plan_distribution);
    if (!row.test->memory.empty()) add(chart_kind::memory, plan_memory);
    if (!level_values(row).empty()) add(chart_kind::series, plan_series);
  }
  if (plans_.empty()) {
    dir_ = folder.release();
    return;
  }

  // Contiguous batches of about equal weight, one gnuplot process each.
  unsigned jobs = settings.jobs ? settings.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, plans_.size()));
  std::size_t total = 0;
  for (const auto& p : plans_) total += p.weight;
  std::vector<std::string> scripts(jobs);
  std::vector<std::vector<std::size_t>> members(jobs);
  std::size_t acc = 0;
  for (std::size_t i = 0; i < plans_.size(); ++i) {
    const std::size_t batch =
        std::min<std::size_t>(jobs - 1, acc * jobs / std::max<std::size_t>(total, 1));
    acc += plans_[i].weight;
    scripts[batch] += plans_[i].script;
    plans_[i].script.clear();
    plans_[i].script.shrink_to_fit();
    members[batch].push_back(i);
  }
  std::vector<gnuplot_run> runs(jobs);
  for (unsigned j = 0; j < jobs; ++j) {
    if (members[j].empty()) continue;
    const std::string script = fmt::format("batch{}.gp", j);
    write_text(folder.path() / script, scripts[j]);
    start_gnuplot(runs[j], settings.gnuplot, folder.path(), script, fmt::format("batch{}.log", j));
  }
  wait_all(runs, std::chrono::seconds(300));

  const std::string install_hint =
      "install gnuplot (Debian: gnuplot-nox; tools/setup.sh does) or give its path with "
      "--gnuplot PATH";
  for (unsigned j = 0; j < jobs; ++j) {
    if (members[j].empty()) continue;
    std::string why;
    if (runs[j].spawn_error == ENOENT || runs[j].spawn_error == EACCES) {
      why = fmt::format("Chart not drawn: gnuplot was not found ('{}'{}); {}.", settings.gnuplot,
                        settings.gnuplot.find('/') == std::string::npos ? " in PATH" : "",
                        install_hint);
      note_ = why;
    } else if (runs[j].spawn_error != 0) {
      why = fmt::format("Chart not drawn: gnuplot could not be started: {}.",
                        std::generic_category().message(runs[j].spawn_error));
      note_ = why;
    } else if (!WIFEXITED(runs[j].status) || WEXITSTATUS(runs[j].status) != 0) {
      why = fmt::format("Chart not drawn: gnuplot failed: {}",
                        error_line(read_text(folder.path() / fmt::format("batch{}.log", j))));
    }
    for (std::size_t i : members[j]) {
      if (!svg_complete(folder.path() / (plans_[i].stem + ".svg"))) {
        plans_[i].note = why.empty() ? "Chart not drawn: gnuplot wrote no complete SVG." : why;
      }
    }
  }
  dir_ = folder.release();
}

chart_set::~chart_set() {
  if (dir_.empty()) return;
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::size_t chart_set::planned() const { return plans_.size(); }

std::size_t chart_set::drawn() const {
  return static_cast<std::size_t>(
      std::count_if(plans_.begin(), plans_.end(), [](const plan& p) { return p.note.empty(); }));
}

std::vector<chart> chart_set::charts_for(std::size_t row) const {
  std::vector<chart> out;
  const auto first = std::lower_bound(plans_.begin(), plans_.end(), row,
                                      [](const plan& p, std::size_t r) { return p.row < r; });
  for (auto it = first; it != plans_.end() && it->row == row; ++it) {
    chart c;
    c.kind = it->kind;
    c.caption = it->caption;
    c.note = it->note;
    if (c.note.empty()) {
      std::string svg = read_text(dir_ / (it->stem + ".svg"));
      if (svg.find("</svg>") == std::string::npos) {
        c.note = "Chart not drawn: gnuplot's SVG was cut short.";
      } else {
        ctemplate::TemplateDictionary dict("overlay");
        for (const auto& pt : points_for(view_->rows[row], it->kind)) {
          auto* d = dict.AddSectionDictionary("POINT");
          d->SetValue("X", fmt::format("{:.1f}", it->geometry.px(pt.x)));
          d->SetValue("Y", fmt::format("{:.1f}", it->geometry.py(pt.y)));
          d->SetValue("CLASS", pt.css);
          d->SetValue("TIP", pt.tip);
        }
        expand_template("chart_overlay.svg.tpl", dict, c.overlay);
        c.svg = sanitize_svg(svg, fmt::format("c{}{}-", row, to_string(it->kind)[0]));
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace perfcheck::reports
