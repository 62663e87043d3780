// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The reported metrics and the metadata of a report row (docs/metrics.md): of the current result,
// and of each level of a sweep.
#include <fmt/format.h>

#include "perfcheck/model/reported_metrics.hpp"
#include "reports/report_view.hpp"

namespace perfcheck::reports {

namespace {

// The line of `metric` (its rate when `rate`) from its figures, in the unit the command wrote.
reported_line line_of(const std::string& metric, const reported_shape& shape, bool rate,
                      const metric_summary& s) {
  return {metric, format_reported_value(shape, rate, s.median), format_reported_value(shape, rate, s.p95),
          s.n, s.median, s.p95};
}

// The shape of `name` at `level` when the level has figures of it (of its rate when `rate`, which
// only a counter has), else nullptr.
const reported_shape* shape_at(const level_figures& level, const std::string& name, bool rate) {
  const auto shape = level.reported.find(name);
  if (shape == level.reported.end() || (rate && !shape->second.counter)) return nullptr;
  return level.measured(rate ? name + ".rate" : name) ? &shape->second : nullptr;
}

// The line of `name` (its rate when `rate`) at `level`; n = 0 when the level has no figures of it.
reported_line level_line(const level_figures& level, const std::string& name, bool rate) {
  const std::string metric = rate ? name + ".rate" : name;
  const reported_shape* shape = shape_at(level, name, rate);
  if (shape == nullptr) return {metric, "", "", 0, 0, 0};
  return line_of(metric, *shape, rate, level.measured(metric)->summary);
}

}  // namespace

void add_reported(test_row& row) {
  if (row.current == nullptr || row.test == nullptr) return;
  for (const auto& [key, value] : row.current->metadata) row.metadata.emplace_back(key, value);
  for (const auto& [name, shape] : reported_shapes(row.test->samples)) {
    for (const bool rate : {false, true}) {
      if (rate && !shape.counter) continue;
      const std::string metric = rate ? name + ".rate" : name;
      const metric_figures* f = row.current->find(metric);
      if (f == nullptr || f->summary.n == 0) continue;
      row.reported.push_back(line_of(metric, shape, rate, f->summary));
      if (metric != row.metric || !row.value) continue;
      // The headline is a reported metric: its unit is the one the command wrote.
      row.kind = rate ? unit_kind::rate : shape.percent ? unit_kind::count : shape.kind;
      row.value_text = format_reported_value(shape, rate, *row.value);
    }
  }
}

void add_level_reported(test_row& row) {
  if (row.test == nullptr || row.levels.size() != row.test->levels.size()) return;
  // The columns: every name some level reported with figures, by name, a counter's rate after it.
  std::map<std::string, bool> counter;
  for (const auto& level : row.test->levels) {
    for (const auto& [name, shape] : level.reported) counter[name] |= shape.counter;
  }
  std::vector<std::pair<std::string, bool>> columns;  // name, rate
  for (const auto& [name, is_counter] : counter) {
    for (const bool rate : {false, true}) {
      if (rate && !is_counter) continue;
      for (const auto& level : row.test->levels) {
        if (shape_at(level, name, rate) == nullptr) continue;
        columns.emplace_back(name, rate);
        row.level_reported.push_back({rate ? name + ".rate" : name});
        break;
      }
    }
  }
  for (std::size_t i = 0; i < row.levels.size(); ++i) {
    for (const auto& [name, rate] : columns)
      row.levels[i].reported.push_back(level_line(row.test->levels[i], name, rate));
  }
}

std::string reported_cell(const reported_line& line) {
  if (line.n == 0) return "-";
  if (line.p95_text.empty()) return line.median_text;
  return fmt::format("{} (p95 {})", line.median_text, line.p95_text);
}

}  // namespace perfcheck::reports
