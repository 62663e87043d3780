// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Descriptive statistics; the methods and constants are explained in docs/statistics.md.
#include "perfcheck/stats/descriptive.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/binomial.hpp>

namespace perfcheck::stats {

namespace {

// Phi^-1(0.75) = 0.67449, the MAD of a standard normal, rounded as Iglewicz & Hoaglin and the
// NIST/SEMATECH handbook (1.3.5.17) publish it, so that scores match theirs.
constexpr double mad_to_z = 0.6745;
// sqrt(pi / 2) = 1.2533141..., the ratio of the standard deviation to the mean absolute
// deviation of a normal distribution (E|Z| = sqrt(2 / pi)).
constexpr double meanad_to_sigma = 1.253314;

std::vector<double> sorted_copy(std::span<const double> values) {
  std::vector<double> copy(values.begin(), values.end());
  std::sort(copy.begin(), copy.end());
  return copy;
}

double mad_around(std::span<const double> values, double center) {
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double x : values) deviations.push_back(std::fabs(x - center));
  std::sort(deviations.begin(), deviations.end());
  return quantile_sorted(deviations, 0.5);
}

// P(k <= B <= n - k) for B ~ Binomial(n, 1/2): the coverage of (x_(k), x_(n-k+1)).
double order_statistic_coverage(const boost::math::binomial_distribution<double>& b,
                                std::size_t k) {
  return 1.0 - 2.0 * boost::math::cdf(b, static_cast<double>(k - 1));
}

// The modified z-score as a function of x for one sample: M = factor * (x - center).
struct z_scale {
  double center = 0;
  double factor = 0;  // 0 when the sample has no spread at all
  double operator()(double x) const {
    if (factor > 0) return factor * (x - center);
    if (x == center) return 0;
    return x > center ? HUGE_VAL : -HUGE_VAL;
  }
};

z_scale z_scale_of(std::span<const double> values) {
  const std::vector<double> sorted = sorted_copy(values);
  const double center = quantile_sorted(sorted, 0.5);
  const double spread = mad_around(sorted, center);
  if (spread > 0) return {center, mad_to_z / spread};
  // At least half the values equal the median, so MAD is 0; the mean absolute deviation
  // still sees the rest (the fallback IBM documents for its modified z score).
  double sum = 0;
  for (double x : sorted) sum += std::fabs(x - center);
  const double mean_ad = sum / static_cast<double>(sorted.size());
  if (mean_ad > 0) return {center, 1.0 / (meanad_to_sigma * mean_ad)};
  return {center, 0};
}

}  // namespace

void check_probability(double value, const char* what) {
  if (!(value > 0 && value < 1)) {
    throw std::invalid_argument(std::string(what) + " must be between 0 and 1 (exclusive)");
  }
}

double mean(std::span<const double> values) {
  if (values.empty()) return 0;
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return sum / static_cast<double>(values.size());
}

double stddev(std::span<const double> values) {
  if (values.size() < 2) return 0;
  // Two passes: summing squares around the mean avoids the cancellation of sum(x^2) - n m^2,
  // which loses most digits when the spread is small next to the values (nanosecond timings).
  const double m = mean(values);
  double squares = 0;
  for (double x : values) squares += (x - m) * (x - m);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double quantile_sorted(std::span<const double> sorted, double p) {
  if (sorted.empty()) return 0;
  p = std::clamp(p, 0.0, 1.0);
  const double h = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double fraction = h - static_cast<double>(lo);
  return sorted[lo] + fraction * (sorted[hi] - sorted[lo]);
}

double median(std::span<const double> values) { return quantile_sorted(sorted_copy(values), 0.5); }

double mad(std::span<const double> values) {
  if (values.empty()) return 0;
  return mad_around(values, median(values));
}

interval median_ci(std::span<const double> sorted, double confidence) {
  const std::size_t n = sorted.size();
  if (n == 0) return {};
  const boost::math::binomial_distribution<double> b(static_cast<double>(n), 0.5);
  // The coverage falls as k grows, so the largest k that still reaches `confidence` is found
  // by bisection over 1..ceil(n/2): O(log n) evaluations of the binomial CDF.
  std::size_t good = 0;               // largest k known to reach the confidence (0: none)
  std::size_t bad = (n + 1) / 2 + 1;  // smallest k known to miss it
  while (bad - good > 1) {
    const std::size_t k = good + (bad - good) / 2;
    if (order_statistic_coverage(b, k) >= confidence) {
      good = k;
    } else {
      bad = k;
    }
  }
  const std::size_t k = std::max<std::size_t>(good, 1);
  return {sorted[k - 1], sorted[n - k], order_statistic_coverage(b, k)};
}

metric_summary summarize(std::span<const double> values) {
  metric_summary s;
  if (values.empty()) return s;
  const std::vector<double> sorted = sorted_copy(values);
  s.n = sorted.size();
  s.min = sorted.front();
  s.max = sorted.back();
  s.mean = mean(sorted);
  s.median = quantile_sorted(sorted, 0.5);
  s.stddev = stddev(sorted);
  s.mad = mad_around(sorted, s.median);
  s.p90 = quantile_sorted(sorted, 0.90);
  s.p95 = quantile_sorted(sorted, 0.95);
  s.p99 = quantile_sorted(sorted, 0.99);
  const interval ci = median_ci(sorted, 0.95);
  s.ci_low = ci.low;
  s.ci_high = ci.high;
  return s;
}

std::vector<std::size_t> outliers_modified_z(std::span<const double> values, double cutoff) {
  std::vector<std::size_t> flagged;
  if (values.empty()) return flagged;
  const z_scale z = z_scale_of(values);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::fabs(z(values[i])) > cutoff) flagged.push_back(i);
  }
  return flagged;
}

double modified_z_score(std::span<const double> values, double x) {
  if (values.empty()) return 0;
  return z_scale_of(values)(x);
}

double robust_cv(std::span<const double> values) {
  const double center = median(values);
  if (center == 0) return 0;
  return mad_to_sigma * mad_around(values, center) / std::fabs(center);
}

}  // namespace perfcheck::stats
