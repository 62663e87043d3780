// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Trend over a series (for example the medians of successive sessions): pure functions, no
// I/O. Values are finite; ties are exact equality. The methods are in docs/statistics.md.
#pragma once

#include <span>

namespace perfcheck::stats {

/// A robust straight line y = intercept + slope * x with a confidence interval of the slope.
struct theil_sen_fit {
  double slope = 0;       ///< median of the pairwise slopes, in y units per x unit
  double intercept = 0;   ///< median(y) - slope * median(x), in y units
  double slope_low = 0;   ///< lower end of the slope's interval
  double slope_high = 0;  ///< upper end of the slope's interval
  /// Nominal confidence of the interval (a normal approximation); 0 when degenerate.
  double confidence = 0;
};

/// Theil-Sen line (Theil 1950; Sen 1968): slope = median of (y_j - y_i) / (x_j - x_i) over
/// the pairs with x_i < x_j, intercept and slope interval as scipy.stats.theilslopes
/// (method 'separate'; Sen's interval from order statistics of the slopes with the Kendall
/// variance, tie-corrected in x and y). O(n^2 log n) time, O(n^2) memory. x and y have the same
/// size (else std::invalid_argument), `confidence` in (0, 1) (else std::invalid_argument). Fewer
/// than two points or all x equal: slope 0, interval [0, 0], confidence 0, intercept
/// median(y) (0 when empty).
theil_sen_fit theil_sen(std::span<const double> x, std::span<const double> y,
                        double confidence = 0.95);

/// The Mann-Kendall test of a monotonic trend in a series taken at equally spaced times.
struct mann_kendall_result {
  double s = 0;        ///< sum over i < j of sign(y_j - y_i): > 0 rising, < 0 falling
  double var_s = 0;    ///< variance of S under no trend, tie-corrected
  double z = 0;        ///< continuity-corrected standard score of S
  double p_value = 1;  ///< two-sided, from the standard normal
  double tau = 0;      ///< Kendall's tau-a: S / (n (n - 1) / 2), in [-1, 1]
  int trend = 0;       ///< +1 rising, -1 falling (p < alpha), 0 none
};

/// Mann-Kendall trend test (Mann 1945; Kendall 1975) of `y` in time order:
/// z = (S - sign(S)) / sqrt(var_s), p = 2 (1 - Phi(|z|)). `alpha` in (0, 1) (else
/// std::invalid_argument). O(n^2) time. Fewer than two values, or all equal: S 0, var_s 0,
/// z 0, p 1, tau 0, trend 0.
mann_kendall_result mann_kendall(std::span<const double> y, double alpha = 0.05);

}  // namespace perfcheck::stats
