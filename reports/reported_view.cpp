// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The reported metrics and the metadata of a report row (docs/metrics.md).
#include "perfcheck/model/reported_metrics.hpp"
#include "reports/report_view.hpp"

namespace perfcheck::reports {

void add_reported(test_row& row) {
  if (row.current == nullptr || row.test == nullptr) return;
  for (const auto& [key, value] : row.current->metadata) row.metadata.emplace_back(key, value);
  for (const auto& [name, shape] : reported_shapes(row.test->samples)) {
    for (const bool rate : {false, true}) {
      if (rate && !shape.counter) continue;
      const std::string metric = rate ? name + ".rate" : name;
      const metric_figures* f = row.current->find(metric);
      if (f == nullptr || f->summary.n == 0) continue;
      row.reported.push_back({metric, format_reported_value(shape, rate, f->summary.median),
                              format_reported_value(shape, rate, f->summary.p95), f->summary.n});
      if (metric != row.metric || !row.value) continue;
      // The headline is a reported metric: its unit is the one the command wrote.
      row.kind = rate ? unit_kind::rate : shape.percent ? unit_kind::count : shape.kind;
      row.value_text = format_reported_value(shape, rate, *row.value);
    }
  }
}

}  // namespace perfcheck::reports
