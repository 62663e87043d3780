// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Warnings about wall times; docs/statistics.md explains each limit.
#include "perfcheck/stats/diagnostics.hpp"

#include <fmt/format.h>

#include "perfcheck/model/units.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::stats {

namespace {

std::string percent(double fraction) { return fmt::format("{:.3g}%", fraction * 100); }

}  // namespace

std::vector<std::string> wall_time_warnings(std::span<const double> wall_ns, double first_run_ns,
                                            bool first_was_warmup, double overhead_ns,
                                            const diagnostic_limits& limits) {
  std::vector<std::string> warnings;
  if (wall_ns.empty()) return warnings;
  const double center = median(wall_ns);

  const double cv = robust_cv(wall_ns);
  if (cv > limits.max_robust_cv) {
    warnings.push_back(fmt::format(
        "wall time is unstable: robust CV {:.1f}% (over {}); close other programs, pin the "
        "CPU, or measure more runs (--runs)",
        cv * 100, percent(limits.max_robust_cv)));
  }

  if (center < limits.min_median_ns) {
    std::string cause;
    // Past half the median the launch is most of what is timed; below that it still adds
    // its own jitter, which a longer run would dilute.
    if (overhead_ns >= 0.5 * center && overhead_ns > 0) {
      cause = fmt::format("launch overhead ({}) dominates", format_duration(overhead_ns));
    } else if (overhead_ns > 0) {
      cause = fmt::format("launch overhead ({}) and scheduling noise weigh heavily",
                          format_duration(overhead_ns));
    } else {
      cause = "launch overhead and scheduling noise weigh heavily";
    }
    warnings.push_back(
        fmt::format("median run is {}, shorter than {}: {}; make the command do more work per run",
                    format_duration(center), format_duration(limits.min_median_ns), cause));
  }

  // Both tests: the ratio alone fires on noisy samples, the z-score alone on tiny spreads.
  if (center > 0 && first_run_ns > limits.cold_ratio * center &&
      modified_z_score(wall_ns, first_run_ns) > limits.cold_modified_z) {
    const double ratio = first_run_ns / center;
    if (first_was_warmup) {
      warnings.push_back(fmt::format(
          "the first run (warm-up) took {}, {:.1f}\u00d7 the median: probably a cold cache; "
          "it was not measured",
          format_duration(first_run_ns), ratio));
    } else {
      warnings.push_back(fmt::format(
          "the first run took {}, {:.1f}\u00d7 the median: probably a cold cache; add warm-up "
          "runs (--warmup)",
          format_duration(first_run_ns), ratio));
    }
  }
  return warnings;
}

}  // namespace perfcheck::stats
