// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Warnings about figures that should not be trusted as they are.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace perfcheck::stats {

/// Thresholds for the warnings; the defaults are documented in docs/statistics.md.
struct diagnostic_limits {
  double max_robust_cv = 0.05;   ///< warn above 5% robust CV of wall time
  double min_median_ns = 1e6;    ///< warn when the median run is shorter than 1 ms
  double cold_ratio = 1.5;       ///< first run this many times the median...
  double cold_modified_z = 3.5;  ///< ...and an outlier by modified z-score
};

/// Human-readable warnings for the measured wall times (`wall_ns`, nanoseconds, in run order),
/// each a sentence ending in what to do: unstable (robust CV), too short (median), cold first
/// run. `first_run_ns` is the wall time of the very first execution (warm-up or measured;
/// 0: unknown); `first_was_warmup` says which, so the advice fits. `overhead_ns` is the launch
/// overhead (0: unknown). Empty `wall_ns`: no warnings.
std::vector<std::string> wall_time_warnings(std::span<const double> wall_ns, double first_run_ns,
                                            bool first_was_warmup, double overhead_ns,
                                            const diagnostic_limits& limits = {});

}  // namespace perfcheck::stats
