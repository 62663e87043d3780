// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Relative change of a mean or a quantile between a baseline and a candidate sample, with an
// interval and a p-value fit for that statistic: pure functions, no I/O. docs/statistics.md.
#pragma once

#include <cstddef>
#include <span>

#include "perfcheck/stats/compare.hpp"

namespace perfcheck::stats {

/// A relative change (candidate / baseline - 1) with its interval and the two-sided p-value of
/// the hypothesis "the change is `null_change`".
struct ratio_estimate {
  shift_estimate change;  ///< estimate, interval and its coverage, as fractions (0.05: 5% larger)
  double p_value = 1;     ///< two-sided, in [0, 1]
};

/// Ratio of means by the delta method on the log scale (Casella & Berger, Statistical Inference,
/// 2nd ed., §5.5.4): log(mean_c / mean_b) with variance s_c^2 / (n_c mean_c^2) + s_b^2 / (n_b
/// mean_b^2), Student's t with the Welch (1947) - Satterthwaite degrees of freedom. Values must be
/// positive and each side needs two or more (else std::invalid_argument). Both variances zero:
/// the interval is the estimate and p is 0 unless the change equals `null_change` (then 1).
ratio_estimate mean_ratio(std::span<const double> baseline, std::span<const double> candidate,
                          double confidence, double null_change = 0);

/// 1-based ranks [low, high] of the distribution-free order-statistic interval
/// X_(low) <= xi_q < X_(high) for the q-quantile of n values (Conover, Practical Nonparametric
/// Statistics, 3rd ed., §3.2; Hahn & Meeker, Statistical Intervals, §5.2), equal tails: low is
/// the largest rank with P(B <= low - 1) <= (1 - confidence) / 2, high the smallest with
/// P(B <= high - 1) >= 1 - (1 - confidence) / 2, B ~ Binomial(n, q). low = 0: no lower bound;
/// high = n + 1: no upper bound (too few values). `coverage` is P(low <= B <= high - 1).
struct quantile_ranks {
  std::size_t low = 0, high = 0;
  double coverage = 0;
};
quantile_ranks quantile_interval_ranks(std::size_t n, double q, double confidence);

/// Smallest n whose q-quantile interval at `confidence` has both ends (quantile_interval_ranks).
std::size_t min_quantile_runs(double q, double confidence);

/// Ratio of q-quantiles (type 7 estimates): each side's order-statistic interval at
/// sqrt(confidence), so that by independence both hold with probability >= confidence, and the
/// ratio lies in [low_c / high_b, high_c / low_b] (a distribution-free, conservative interval).
/// p-value by inverting that interval: the smallest alpha whose interval excludes `null_change`.
/// Values must be positive and both sides at least min_quantile_runs(q, sqrt(confidence))
/// (else std::invalid_argument).
ratio_estimate quantile_ratio(std::span<const double> baseline, std::span<const double> candidate,
                              double q, double confidence, double null_change = 0);

}  // namespace perfcheck::stats
