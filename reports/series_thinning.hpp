// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Thinning a long series to what a chart can show: largest-triangle-three-buckets, plus the
// points that must never be dropped.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace perfcheck::reports::detail {

/// Largest-triangle-three-buckets (Steinarsson 2013): the ascending indexes of `threshold`
/// points of (x[i], y[i]) that keep the series' visual shape, the first and the last included.
/// All indexes when x.size() <= threshold or threshold < 3. x must be ascending, y as long.
std::vector<std::size_t> lttb(std::span<const double> x, std::span<const double> y,
                              std::size_t threshold);

/// The indexes of `y` (x = the index) a chart draws: every one when y.size() <= budget, else an
/// LTTB selection joined with `always` (indexes < y.size(), any order), ascending and unique.
/// At most max(budget, always.size() + 3) indexes.
std::vector<std::size_t> thin_series(std::span<const double> y, std::vector<std::size_t> always,
                                     std::size_t budget);

}  // namespace perfcheck::reports::detail
