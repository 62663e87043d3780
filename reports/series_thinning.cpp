// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/series_thinning.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace perfcheck::reports::detail {

// Sveinn Steinarsson, "Downsampling Time Series for Visual Representation", MSc thesis,
// University of Iceland, 2013, section 4.2. The first and last points are kept; the others are
// cut into threshold - 2 buckets of equal length; from each bucket, in order, the point is kept
// that spans the largest triangle with the point kept from the previous bucket and the average
// of the next bucket (for the last bucket, the last point).
std::vector<std::size_t> lttb(std::span<const double> x, std::span<const double> y,
                              std::size_t threshold) {
  const std::size_t n = std::min(x.size(), y.size());
  std::vector<std::size_t> out;
  if (threshold >= n || threshold < 3) {
    out.resize(n);
    std::iota(out.begin(), out.end(), std::size_t{0});
    return out;
  }
  out.reserve(threshold);
  const double every = static_cast<double>(n - 2) / static_cast<double>(threshold - 2);
  const auto bucket_start = [&](std::size_t i) {
    return std::min(n, static_cast<std::size_t>(std::floor(static_cast<double>(i) * every)) + 1);
  };
  std::size_t a = 0;
  out.push_back(0);
  for (std::size_t i = 0; i + 2 < threshold; ++i) {
    const std::size_t next_begin = bucket_start(i + 1), next_end = bucket_start(i + 2);
    double avg_x = 0, avg_y = 0;
    for (std::size_t j = next_begin; j < next_end; ++j) avg_x += x[j], avg_y += y[j];
    const double count = static_cast<double>(next_end - next_begin);
    avg_x /= count;
    avg_y /= count;
    double best_area = -1;
    std::size_t best = bucket_start(i);
    for (std::size_t j = bucket_start(i); j < next_begin; ++j) {
      // Twice the triangle's area; the factor does not change which point wins.
      const double area =
          std::fabs((x[a] - avg_x) * (y[j] - y[a]) - (x[a] - x[j]) * (avg_y - y[a]));
      if (area > best_area) best_area = area, best = j;
    }
    out.push_back(best);
    a = best;
  }
  out.push_back(n - 1);
  return out;
}

std::vector<std::size_t> thin_series(std::span<const double> y, std::vector<std::size_t> always,
                                     std::size_t budget) {
  const std::size_t n = y.size();
  std::erase_if(always, [n](std::size_t i) { return i >= n; });
  std::sort(always.begin(), always.end());
  always.erase(std::unique(always.begin(), always.end()), always.end());
  std::vector<double> x(n);
  std::iota(x.begin(), x.end(), 0.0);
  if (n <= budget) return lttb(x, y, n);  // every index
  const std::size_t rest = budget > always.size() + 3 ? budget - always.size() : 3;
  std::vector<std::size_t> kept = lttb(x, y, rest);
  std::vector<std::size_t> out;
  out.reserve(kept.size() + always.size());
  std::set_union(kept.begin(), kept.end(), always.begin(), always.end(), std::back_inserter(out));
  return out;
}

}  // namespace perfcheck::reports::detail
