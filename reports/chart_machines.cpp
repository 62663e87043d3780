// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The trend chart of a fleet (--machine all|FINGERPRINT): a test's headline statistic with one
// line per machine class, on one axis of every machine's results by start time
// (templates/trend_machines.gp.tpl).
#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "reports/chart_plan.hpp"
#include "reports/series_thinning.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports::detail {

namespace {

// Line colours, then dash types once they repeat: blue, orange, green, purple, red, brown,
// pink, grey (distinct for the common kinds of colour blindness in the first four).
constexpr std::array<const char*, 8> line_colors = {"1f4e8c", "ef6c00", "00897b", "7b1fa2",
                                                    "c62828", "6d4c41", "d81b60", "616161"};

// The most points all lines together draw (the single trend's budget, see chart_trend.cpp),
// and the fewest one line is thinned to.
constexpr std::size_t total_point_budget = 200;
constexpr std::size_t min_line_budget = 40;

// The x of each value of each line: its position (1-based) among every line's values ordered
// by start time (ties: in line order).
std::vector<std::vector<double>> shared_positions(const test_row& row) {
  std::vector<std::tuple<std::string_view, std::size_t, std::size_t>> all;  // date, line, k
  for (std::size_t j = 0; j < row.machine_lines.size(); ++j) {
    const auto& line = row.machine_lines[j];
    for (std::size_t k = 0; k < line.values.size(); ++k)
      all.emplace_back(line.source->history[line.index[k]].date, j, k);
  }
  std::sort(all.begin(), all.end());
  std::vector<std::vector<double>> x(row.machine_lines.size());
  for (std::size_t j = 0; j < x.size(); ++j) x[j].resize(row.machine_lines[j].values.size());
  for (std::size_t r = 0; r < all.size(); ++r)
    x[std::get<1>(all[r])][std::get<2>(all[r])] = static_cast<double>(r + 1);
  return x;
}

// The positions in line.values drawn: all within the budget, else an LTTB selection that keeps
// the current result and the newest.
std::vector<std::size_t> drawn_points(const machine_line& line, std::size_t budget) {
  std::vector<std::size_t> always;
  for (std::size_t k = 0; k < line.index.size(); ++k) {
    if (line.source->current == line.index[k]) always.push_back(k);
  }
  if (!line.values.empty()) always.push_back(line.values.size() - 1);
  return thin_series(line.values, std::move(always), budget);
}

tip_point machine_tip(const test_row& row, const machine_line& line, std::size_t k, double x) {
  const report_result& r = line.source->history[line.index[k]];
  std::string when = r.date.substr(0, 16);
  if (when.size() > 10) when[10] = ' ';
  tip_point p;
  p.x = x;
  p.y = line.values[k];
  p.key = fmt::format("{} · {} · {} · {}", line.label, r.commit.empty() ? "no commit" : short_commit(r.commit),
                      when, row.statistic);
  p.tip = format_quantity(line.values[k], row.kind);
  p.tail = fmt::format(" · {}", to_string(r.outcome));
  const bool current = line.source->current == line.index[k];
  p.css = current ? "pt cur" : "pt";
  p.titled = current || k + 1 == line.values.size();
  return p;
}

// Whether `labels` are all different and none is empty.
bool tell_apart(std::vector<std::string> labels) {
  std::sort(labels.begin(), labels.end());
  return std::adjacent_find(labels.begin(), labels.end()) == labels.end() &&
         (labels.empty() || !labels.front().empty());
}

// Up to six tics over the shared axis, labelled with the date of the result at each; with its
// time ("12-01 10:42") when dates repeat among the tics; else with its position.
std::string shared_tics(const test_row& row, const std::vector<std::vector<double>>& x) {
  std::vector<std::pair<double, std::string>> at;  // x, date
  for (std::size_t j = 0; j < x.size(); ++j) {
    const auto& line = row.machine_lines[j];
    for (std::size_t k = 0; k < x[j].size(); ++k)
      at.emplace_back(x[j][k], line.source->history[line.index[k]].date);
  }
  std::sort(at.begin(), at.end());
  const std::size_t n = at.size(), count = std::min<std::size_t>(n, 6);
  std::vector<std::size_t> picked;
  for (std::size_t t = 0; t < count; ++t) picked.push_back(count == 1 ? 0 : t * (n - 1) / (count - 1));
  std::vector<std::string> labels;
  for (std::size_t r : picked) labels.push_back(at[r].second.size() >= 10 ? tic_label(short_date(at[r].second)) : "");
  if (!tell_apart(labels)) {
    labels.clear();
    for (std::size_t r : picked) {
      const std::string& d = at[r].second;
      labels.push_back(d.size() >= 16 ? gnuplot_safe(fmt::format("{} {}", d.substr(5, 5), d.substr(11, 5))) : "");
    }
  }
  if (!tell_apart(labels)) {
    labels.clear();
    for (std::size_t r : picked) labels.push_back(fmt::format("#{}", r + 1));
  }
  std::string tics;
  for (std::size_t t = 0; t < picked.size(); ++t) tics += fmt::format("{}\t{}\n", num(at[picked[t]].first), labels[t]);
  return tics;
}

std::string machines_caption(const test_row& row, std::size_t total, std::size_t drawn) {
  std::string caption = fmt::format(
      "{} {} of each result per machine class (machine fingerprint), {} result{} in all, oldest "
      "to newest across every machine (hover a point for its machine, commit and date). ",
      row.metric, row.statistic, total, total == 1 ? "" : "s");
  if (drawn < total) {
    caption += fmt::format(
        "{} of them drawn, each line thinned by largest-triangle-three-buckets (Steinarsson "
        "2013) with its newest and the current result kept. ", drawn);
  }
  std::string names;
  for (const auto& line : row.machine_lines) {
    names += fmt::format("{}{} = {}{}", names.empty() ? "" : "; ", line.label, line.machine,
                         line.own ? " (the reported session's machine)" : "");
  }
  caption += "Lines: " + names + ". ";
  if (row.change) caption += fmt::format("Dotted green: the baseline's {} on the session's machine. ", row.statistic);
  return caption + "Bands, thresholds and change points are in the single-machine trend "
                   "(perfcheck report --machine this).";
}

}  // namespace

bool has_machine_trend(const test_row& row) {
  return std::any_of(row.machine_lines.begin(), row.machine_lines.end(),
                     [](const machine_line& line) { return !line.values.empty(); });
}

chart_plan plan_machine_trend(const test_row& row, const std::string& stem) {
  const auto x = shared_positions(row);
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  std::size_t total = 0;
  for (const auto& line : row.machine_lines) {
    total += line.values.size();
    for (double v : line.values) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (row.change) lo = std::min(lo, row.change->baseline_value), hi = std::max(hi, row.change->baseline_value);
  chart_plan p;
  frame& g = p.geometry;
  g.x_lo = 0.5;
  g.x_hi = static_cast<double>(std::max<std::size_t>(total, 1)) + 0.5;
  fit_y(g, row.kind, lo, hi);
  data_file file;
  ctemplate::TemplateDictionary dict("trend_machines");
  dict.SetIntValue("TICS", file.add(shared_tics(row, x)));
  const std::size_t budget =
      std::max(min_line_budget, total_point_budget / std::max<std::size_t>(row.machine_lines.size(), 1));
  std::size_t drawn = 0;
  for (std::size_t j = 0; j < row.machine_lines.size(); ++j) {
    const auto& line = row.machine_lines[j];
    if (line.values.empty()) continue;
    std::string data;
    for (std::size_t k : drawn_points(line, budget)) {
      data += fmt::format("{}\t{}\n", num(x[j][k]), num(line.values[k] / g.unit.divisor));
      p.points.push_back(machine_tip(row, line, k, x[j][k]));
      ++drawn;
    }
    auto* section = dict.AddSectionDictionary("MACHINE");
    section->SetIntValue("INDEX", file.add(std::move(data)));
    section->SetValue("NAME", line.label);
    section->SetValue("COLOR", line_colors[j % line_colors.size()]);
    section->SetIntValue("DT", static_cast<long>(1 + j / line_colors.size()));
  }
  if (row.change) {
    const std::string v = num(row.change->baseline_value / g.unit.divisor);
    const int index = file.add(fmt::format("{}\t{}\n{}\t{}\n", num(g.x_lo), v, num(g.x_hi), v));
    dict.SetValueAndShowSection("INDEX", std::to_string(index), "BASELINE");
  }
  set_frame(dict, g, stem);
  dict.SetValue("Y_LABEL", axis_label(row, g.unit));
  dict.SetValue("DATA", stem + ".dat");
  p.data = file.text();
  expand_template("trend_machines.gp.tpl", dict, p.script);
  p.weight = drawn + 50;
  p.caption = machines_caption(row, total, drawn);
  return p;
}

}  // namespace perfcheck::reports::detail
