// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Comparing a candidate sample with a baseline sample (the regression rule): pure functions,
// no I/O. Values are finite; ties are exact equality. The methods are in docs/statistics.md.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::stats {

/// How mann_whitney_u computes its p-value.
enum class mann_whitney_method {
  /// Exact when min(n1, n2) <= 8 and there are no ties (scipy 1.10's rule), else asymptotic.
  automatic,
  /// The exact null distribution of U (with ties: U rounded down, ties ignored, as scipy).
  exact,
  /// The normal approximation with the tie and continuity corrections.
  asymptotic,
};

/// The two-sided Mann-Whitney U test.
struct mann_whitney_result {
  double u = 0;        ///< U of the baseline: pairs with baseline > candidate, ties counted 1/2
  double p_value = 1;  ///< two-sided, in [0, 1]
  bool exact = false;  ///< whether p came from the exact distribution
};

/// Mann-Whitney U test (Mann & Whitney 1947) of baseline vs candidate, two-sided, as
/// scipy.stats.mannwhitneyu(baseline, candidate, use_continuity=True,
/// alternative='two-sided', method=...). Asymptotic: tie-corrected variance
/// n1 n2 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))) (Lehmann 1975) and continuity
/// correction 1/2. The exact distribution is counted when n1 n2 <= 2,000,000 and
/// min(n1, n2) n1 n2 <= 25,000,000; method::exact beyond that throws std::invalid_argument
/// (automatic then uses the approximation). Either sample empty: u 0, p 1, exact false.
/// All values equal: p 1.
mann_whitney_result mann_whitney_u(std::span<const double> baseline,
                                   std::span<const double> candidate,
                                   mann_whitney_method method = mann_whitney_method::automatic);

/// A location shift with a confidence interval.
struct shift_estimate {
  double estimate = 0;  ///< point estimate
  double low = 0;       ///< lower end of the interval
  double high = 0;      ///< upper end of the interval
  /// Coverage reached: at least the one asked for when the sample sizes allow it.
  double confidence = 0;
};

/// Hodges-Lehmann shift (Hodges & Lehmann 1963) of candidate against baseline, in the values'
/// unit: the median of the n1 n2 differences candidate_j - baseline_i (> 0: candidate
/// larger). Interval: the order statistics D_(C) .. D_(n1 n2 + 1 - C) of the differences,
/// C the largest rank with P(U <= C - 1) <= (1 - confidence) / 2 (Hollander & Wolfe,
/// Nonparametric Statistical Methods, 2nd ed., §4.3): U's exact distribution when both sizes
/// are below 50 (R's wilcox.test does the same), else the normal approximation
/// C = floor(n1 n2 / 2 - z sqrt(n1 n2 (n1 + n2 + 1) / 12) + 1/2). When no rank reaches the
/// confidence the interval is [min, max] of the differences with the coverage reached,
/// 1 - 2 / C(n1 + n2, n1) (0 for one value each). O(n1 n2 log(n1 n2)) time, n1 n2 memory.
/// `confidence` in (0, 1) (else std::invalid_argument). Either sample empty: all zero.
shift_estimate hodges_lehmann(std::span<const double> baseline, std::span<const double> candidate,
                              double confidence = 0.99);

/// Relative change of candidate against baseline as a fraction (0.05: candidate 5% larger,
/// that is slower for a time): exp(HL shift of the logarithms) - 1, with the interval mapped
/// the same way, so that the interval is scale-free and exact for a multiplicative shift.
/// Values must be positive (else std::invalid_argument). Either sample empty: all zero.
/// See hodges_lehmann for the interval and `confidence`.
shift_estimate relative_change(std::span<const double> baseline, std::span<const double> candidate,
                               double confidence = 0.99);

/// Holm (1979) step-down adjusted p-values, in the input's order, each in [0, 1]: with the
/// m p-values ascending, p_adj(i) = max over j <= i of min(1, (m - j + 1) p(j)), as
/// statsmodels' multipletests(method='holm'). Rejecting where p_adj < alpha controls the
/// family-wise error rate at alpha. Empty input: empty output.
std::vector<double> holm_adjust(std::span<const double> p_values);

/// Wilson (1927) score interval of a proportion successes / trials, in [0, 1]; `confidence`
/// holds the nominal confidence. No trials: [0, 1] with confidence 1 (it surely holds the
/// proportion). successes > trials, or `confidence` outside (0, 1): std::invalid_argument.
interval wilson_interval(std::size_t successes, std::size_t trials, double confidence = 0.95);

/// Smallest two-sided p-value the exact Mann-Whitney test can give for sizes n1 and n2:
/// min(1, 2 / C(n1 + n2, n1)), when the samples do not overlap at all. 1 when a size is 0.
double min_attainable_p(std::size_t n1, std::size_t n2);

/// Smallest n such that n runs on each side can reach p < alpha in the exact two-sided
/// Mann-Whitney test (min_attainable_p(n, n) < alpha): 4 for alpha 0.05, 5 for 0.01.
/// `alpha` in (0, 1) (else std::invalid_argument).
std::size_t min_sample_size(double alpha);

namespace detail {

/// P(U <= k) under the null hypothesis for sizes n1, n2 without ties, from the exact
/// distribution (counted as in mann_whitney_u, with the same size limits). 1 for k >= n1 n2.
double mann_whitney_cdf(std::size_t n1, std::size_t n2, std::size_t k);

}  // namespace detail

}  // namespace perfcheck::stats
