// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A soak trend in words, the same in the console and the reports (docs/limits.md, "Soak and leaks").
#pragma once

#include <string>
#include <string_view>

#include "perfcheck/model/result.hpp"

namespace perfcheck {

/// "+12.3% over 2.00 s (1.50 MiB/min, Mann-Kendall p = 0.0012, significant)": the change of
/// the fitted line, the time span, the slope per minute in `metric`'s unit (sizes for rss,
/// threads for threads, durations for the others) and the test's decision.
std::string trend_figures(std::string_view metric, const trend_outcome& t);

/// The metric, a space and its trend_figures: "rss +12.3% over 2.00 s (...)".
std::string trend_text(std::string_view metric, const trend_outcome& t);

}  // namespace perfcheck
