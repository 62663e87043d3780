// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The machine lines of a test row (--machine all|FINGERPRINT): each machine class's series in
// the row's headline statistic and its newest value, for the trend chart and the summaries.
#include <cmath>

#include "perfcheck/model/units.hpp"
#include "reports/report_view.hpp"

namespace perfcheck::reports {

void add_machine_lines(test_row& row, const std::string& own_machine) {
  row.machine_lines.clear();
  for (const auto& m : row.test->machines) {
    machine_line line;
    line.source = &m;
    line.machine = m.machine;
    line.label = m.label;
    line.own = m.machine == own_machine;
    for (std::size_t i = 0; i < m.history.size(); ++i) {
      const auto v = statistic_of(m.history[i], row.metric, row.statistic);
      if (!v || !std::isfinite(*v)) continue;
      line.values.push_back(*v);
      line.index.push_back(i);
    }
    if (!line.values.empty()) {
      line.latest_text = format_quantity(line.values.back(), row.kind);
      line.latest_date = m.history[line.index.back()].date;
    }
    row.machine_lines.push_back(std::move(line));
  }
}

std::vector<machine_table_row> machine_table(const report_view& view) {
  std::vector<machine_table_row> out;
  if (!view.model || view.model->machine_scope.empty()) return out;
  const std::string& scope = view.model->machine_scope;
  for (const auto& row : view.rows) {
    for (const auto& line : row.machine_lines) {
      machine_table_row r{&row, line.machine, line.own, line.values.size(), std::nullopt, "", ""};
      if (!line.values.empty()) r.latest = line.values.back();
      r.latest_text = line.values.empty() ? "no results on this machine" : line.latest_text;
      r.latest_date = short_date(line.latest_date);
      out.push_back(std::move(r));
    }
    if (row.machine_lines.empty() && scope != "all") {
      out.push_back({&row, scope, scope == view.model->session.machine, 0, std::nullopt,
                     "no results on this machine", ""});
    }
  }
  return out;
}

}  // namespace perfcheck::reports
