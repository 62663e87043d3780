// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/report_model.hpp"

namespace perfcheck::reports {

const metric_figures* report_result::find(std::string_view metric) const {
  for (const auto& m : metrics) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

const metric_figures* level_figures::measured(std::string_view metric) const {
  for (const auto& m : metrics) {
    if (m.metric == metric && m.summary.n > 0) return &m;
  }
  return nullptr;
}

const report_result* report_test::current_result() const {
  if (!current || *current >= history.size()) return nullptr;
  return &history[*current];
}

}  // namespace perfcheck::reports
