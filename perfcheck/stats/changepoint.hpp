// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Change points in the mean of a series (a test's median over its history): PELT, pure.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace perfcheck::stats {

/// One segmentation found by PELT. A change point `c` means a new segment starts at index `c`
/// (values [.., c) and [c, ..) have different means). Indexes ascend; 0 and n never appear.
struct segmentation {
  std::vector<std::size_t> changepoints;  ///< first index of each segment but the first
  std::vector<double> means;              ///< mean of each segment (changepoints.size() + 1)
  double cost = 0;     ///< total penalized cost: sum of segment costs + penalty per change
  double sigma = 0;    ///< the noise scale the costs were divided by (value units)
  double penalty = 0;  ///< penalty per change point, in cost units
};

/// Penalized Normal mean-change segmentation by PELT (Killick, Fearnhead & Eckley 2012,
/// "Optimal detection of changepoints with a linear computational cost", JASA 107:1590).
/// Minimizes  sum over segments of C(segment) + penalty * (number of change points)  with
/// C(x_a..x_b) = sum((x_i - mean)^2) / sigma^2 (twice the negative Normal log-likelihood with
/// known variance, up to a constant), over segmentations whose segments all hold at least
/// `min_segment` values. The result is the exact optimum (the same as optimal partitioning,
/// Jackson et al. 2005); pruning only drops candidates that provably cannot be optimal, with
/// the minimum segment length accounted for. Ties go to the earliest last change point.
/// sigma <= 0 or fewer than 2 * min_segment values: no change points (one segment).
/// `min_segment` 0 counts as 1. Values must be finite.
segmentation pelt_mean(std::span<const double> values, double sigma, double penalty,
                       std::size_t min_segment = 1);

/// Robust noise scale of a series with level shifts: 1.4826 * MAD(x_{i+1} - x_i) / sqrt(2).
/// Differencing removes the shifts (each costs one difference) and MAD ignores them and
/// outliers; sqrt(2) undoes the variance doubling of a difference of two independent values.
/// When that MAD is 0 (mostly repeated values), the standard deviation of the differences
/// divided by sqrt(2) stands in; fewer than 3 values: 0.
double difference_noise_scale(std::span<const double> values);

/// Default penalty per change point: 3 ln(n), the leading term of the modified BIC (MBIC,
/// Zhang & Siegmund 2007) that the R changepoint package uses by default. Larger than the
/// SIC/BIC penalty 2 ln(n) on purpose: run times are heavy-tailed and a false "slower since"
/// costs a person more than a late one. n < 2: 0.
double default_changepoint_penalty(std::size_t n);

/// Change points of a test's history with perfcheck's defaults: sigma from
/// difference_noise_scale, penalty default_changepoint_penalty(n), segments of at least
/// 2 results (one odd result is an outlier, not a change). Fewer than 6 values: none (the
/// noise scale of so short a history is a guess).
segmentation detect_changepoints(std::span<const double> values);

}  // namespace perfcheck::stats
