// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Descriptive statistics of a sample: pure functions, no I/O. Values are finite (no NaN or
// infinity: the caller measures them); results are in the values' unit unless stated.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "perfcheck/model/summary.hpp"

namespace perfcheck::stats {

/// 1 / Phi^-1(0.75), rounded as R's mad() and hyperfine do: MAD * 1.4826 estimates sigma for
/// normal data.
inline constexpr double mad_to_sigma = 1.4826;

/// Throws std::invalid_argument "<what> must be between 0 and 1 (exclusive)" unless 0 < value < 1.
void check_probability(double value, const char* what);

/// A two-sided confidence interval.
struct interval {
  double low = 0;
  double high = 0;
  double confidence = 0;  ///< achieved coverage (order-statistic intervals are conservative)
};

/// Arithmetic mean; 0 for an empty sample.
double mean(std::span<const double> values);

/// Sample standard deviation (divisor n - 1); 0 for fewer than two values.
double stddev(std::span<const double> values);

/// Quantile of a sorted sample by linear interpolation between order statistics
/// (Hyndman & Fan 1996, definition 7; numpy's and R's default). p outside [0, 1] is clamped.
/// Empty sample: 0.
double quantile_sorted(std::span<const double> sorted, double p);

/// Median (quantile 0.5: the mean of the two middle values for even n) of an unsorted sample;
/// 0 for an empty sample.
double median(std::span<const double> values);

/// Median absolute deviation from the median, unscaled (multiply by 1.4826 for a consistent
/// estimate of the standard deviation under normality). 0 for an empty sample.
double mad(std::span<const double> values);

/// Distribution-free confidence interval of the median from order statistics: the narrowest
/// symmetric pair (x_(k), x_(n-k+1)) whose binomial(n, 1/2) coverage is at least
/// `confidence` (Conover, Practical Nonparametric Statistics, 3rd ed., §3.2).
/// With too few values for that coverage, the interval is [min, max] and `confidence` holds
/// the coverage reached (n = 1: [x, x] with coverage 0). `sorted` is ascending, `confidence` in
/// (0, 1). Empty sample: {0, 0, 0}.
interval median_ci(std::span<const double> sorted, double confidence = 0.95);

/// Every statistic of metric_summary for an unsorted sample (ci_low..ci_high from
/// median_ci at 0.95; stddev 0 for one value). Empty sample: all zero.
metric_summary summarize(std::span<const double> values);

/// Indexes of outliers by the modified z-score M = 0.6745 (x - median) / MAD, flagged when
/// |M| > cutoff (Iglewicz & Hoaglin 1993, cutoff 3.5). When MAD is 0 the mean absolute
/// deviation stands in (M = (x - median) / (1.253314 * MeanAD)); when that is 0 too, no value
/// is an outlier. Indexes ascend. Empty sample: none.
std::vector<std::size_t> outliers_modified_z(std::span<const double> values, double cutoff = 3.5);

/// Modified z-score of `x` against `values` (x need not be one of them), with the MeanAD
/// fallback of outliers_modified_z. A sample with no spread at all gives 0 for x equal to its
/// median and +-infinity otherwise. Empty sample: 0.
double modified_z_score(std::span<const double> values, double x);

/// Robust coefficient of variation, a fraction (0.05 is 5%): 1.4826 * MAD / |median|; 0 when
/// the median is 0 or the sample is empty.
double robust_cv(std::span<const double> values);

}  // namespace perfcheck::stats
