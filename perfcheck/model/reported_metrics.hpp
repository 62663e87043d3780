// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The metrics a command reported about itself (docs/metrics.md), across a test's runs: which
// names count as measured, their unit, and their columns beside the built-in metrics.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/sample.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck {

/// What a reported metric is over a test's runs.
struct reported_shape {
  unit_kind kind = unit_kind::count;
  bool percent = false;       ///< values are fractions, written with '%'
  bool counter = false;       ///< "name +N" lines: one sum per run; "<name>.rate" is derived
  bool distribution = false;  ///< some run reported more than one value
  bool operator==(const reported_shape&) const = default;
};

/// The reported metrics that every run of `runs` reported with the same kind of unit, by name.
/// A name some runs left out, or reported with another unit, is not measured (the run loop
/// warns). Empty when `runs` is empty.
std::map<std::string, reported_shape> reported_shapes(const std::vector<run_sample>& runs);

/// Adds a column per reported_shapes name to `columns` (metric_columns): one value per run,
/// the run's value, its median for a distribution, the sum for a counter; and for a counter
/// "<name>.rate", the sum over the run's wall time (per second).
void add_reported_columns(std::map<std::string, std::vector<double>>& columns,
                          const std::vector<run_sample>& runs);

/// Every value of each distribution of reported_shapes, pooled over `runs` in run order: what
/// a distribution's summary is taken over ("op.p99": the 99th percentile of all its values).
std::map<std::string, std::vector<double>> pooled_distributions(const std::vector<run_sample>& runs);

/// A value of a reported metric in its own unit: "12.5 ms", "78.5%", "333.3/s" (`rate`: the
/// counter's derived rate), "20000".
std::string format_reported_value(const reported_shape& shape, bool rate, double value);

/// The reported metric a subject ("startup", "pairs.rate") names and whether it is the rate:
/// {"pairs", true} for "pairs.rate".
std::pair<std::string, bool> reported_base(std::string_view metric);

}  // namespace perfcheck
