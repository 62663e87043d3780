// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Theil-Sen line and Mann-Kendall test; docs/statistics.md explains the methods.
#include "perfcheck/stats/trend.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::stats {

namespace {


// Sum over groups of equal values of t (t - 1) (2 t + 5), t the group's size: the tie term of
// the variance of Kendall's S (Kendall 1975, eq. 4.3). 0 without ties.
double kendall_tie_term(std::span<const double> values) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  double term = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const auto t = static_cast<double>(j - i);
    term += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  return term;
}

// n (n - 1) (2 n + 5): 18 times the variance of S for n distinct values.
double kendall_variance_term(std::size_t n) {
  const auto m = static_cast<double>(n);
  return m * (m - 1) * (2 * m + 5);
}

}  // namespace

theil_sen_fit theil_sen(std::span<const double> x, std::span<const double> y, double confidence) {
  if (x.size() != y.size()) {
    throw std::invalid_argument("theil_sen: x and y must have the same number of values");
  }
  check_probability(confidence, "theil_sen: confidence");
  theil_sen_fit fit;
  const std::size_t n = y.size();
  std::vector<double> slopes;
  if (n >= 2) slopes.reserve(n * (n - 1) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      // Each pair with distinct x once, its larger x first; pairs with equal x have no slope.
      if (x[i] > x[j]) slopes.push_back((y[i] - y[j]) / (x[i] - x[j]));
    }
  }
  if (slopes.empty()) {
    fit.intercept = median(y);
    return fit;
  }
  std::sort(slopes.begin(), slopes.end());
  fit.slope = quantile_sorted(slopes, 0.5);
  fit.intercept = median(y) - fit.slope * median(x);
  fit.confidence = confidence;

  // Sen (1968), eq. 2.6: the number of concordant minus discordant pairs of (x, y) has, with
  // no trend, the Kendall variance, corrected for ties in x and in y (as scipy computes it).
  // The slopes ranked (N - z sigma) / 2 and (N + z sigma) / 2 bound the interval, rounded to
  // the nearest rank with ties to even as numpy.round does, so the indexes agree with scipy.
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + confidence / 2);
  const double variance =
      (kendall_variance_term(n) - kendall_tie_term(x) - kendall_tie_term(y)) / 18;
  const double sigma = std::sqrt(std::max(variance, 0.0));
  const auto count = static_cast<double>(slopes.size());
  const double last = count - 1;
  const double upper = std::min(std::nearbyint((count + z * sigma) / 2), last);
  const double lower = std::clamp(std::nearbyint((count - z * sigma) / 2) - 1, 0.0, last);
  fit.slope_low = slopes[static_cast<std::size_t>(lower)];
  fit.slope_high = slopes[static_cast<std::size_t>(upper)];
  return fit;
}

mann_kendall_result mann_kendall(std::span<const double> y, double alpha) {
  check_probability(alpha, "mann_kendall: alpha");
  mann_kendall_result r;
  const std::size_t n = y.size();
  if (n < 2) return r;
  long long s = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) s += (y[j] > y[i]) - (y[j] < y[i]);
  }
  r.s = static_cast<double>(s);
  // Kendall (1975): Var(S) = [n (n - 1) (2 n + 5) - sum t (t - 1) (2 t + 5)] / 18 over the
  // groups of t equal values.
  r.var_s = (kendall_variance_term(n) - kendall_tie_term(y)) / 18;
  r.tau = r.s / (static_cast<double>(n) * static_cast<double>(n - 1) / 2);
  if (r.var_s <= 0 || s == 0) return r;
  // S moves in steps of 2 (of 1 with ties); the continuity correction takes 1 off |S| before
  // the normal approximation, as Mann and Kendall do.
  r.z = (r.s - (s > 0 ? 1.0 : -1.0)) / std::sqrt(r.var_s);
  r.p_value = std::min(
      1.0, 2 * boost::math::cdf(boost::math::complement(boost::math::normal(), std::fabs(r.z))));
  if (r.p_value < alpha) r.trend = s > 0 ? 1 : -1;
  return r;
}

}  // namespace perfcheck::stats
