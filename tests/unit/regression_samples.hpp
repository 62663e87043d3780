// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Fixed samples and a parse-error probe shared by the regression-rule unit tests.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/error.hpp"

namespace regression_samples {

/// n values spread evenly around `center` by +-spread (a fixed, untied pattern).
inline std::vector<double> around(double center, double spread, int n, double phase = 0) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) {
    const double u = std::fmod((i * 0.618033988749895) + phase, 1.0);  // golden-ratio sequence
    v.push_back(center * (1 + spread * (2 * u - 1)));
  }
  return v;
}

/// Samples of the one metric "wall".
inline std::map<std::string, std::vector<double>> wall(std::vector<double> v) { return {{"wall", std::move(v)}}; }

/// The message parse_regression_rule gives for `text`, or "(no error)".
inline std::string error_of(const std::string& text) {
  try {
    perfcheck::gate::parse_regression_rule(text);
  } catch (const perfcheck::usage_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace regression_samples
