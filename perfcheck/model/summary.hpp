// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Descriptive statistics of one metric over the measured runs.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

namespace perfcheck {

/// The statistics perfcheck reports for each metric, in the metric's base unit.
/// See stats/descriptive.hpp for the definitions.
struct metric_summary {
  std::size_t n = 0;
  double min = 0, max = 0, mean = 0, median = 0, stddev = 0, mad = 0;
  double p90 = 0, p95 = 0, p99 = 0;
  double ci_low = 0, ci_high = 0;  ///< distribution-free 95% interval of the median

  /// The statistic named `name` ("p95", "median", ...), or nullopt for an unknown name.
  std::optional<double> get(std::string_view name) const;

  bool operator==(const metric_summary&) const = default;
};

/// The statistic names get() accepts, for messages: "min max mean median ...".
const char* statistic_names();

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const metric_summary& s);
boost::json::result<metric_summary> tag_invoke(boost::json::try_value_to_tag<metric_summary>,
                                               const boost::json::value& in);

}  // namespace perfcheck
