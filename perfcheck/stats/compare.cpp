// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Two-sample comparison: Mann-Whitney U, Hodges-Lehmann shift, Holm, Wilson; docs/statistics.md
// explains the methods and the constants.
#include "perfcheck/stats/compare.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/binomial.hpp>

#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::stats {

namespace {

// scipy 1.10's mannwhitneyu(method='auto') takes the normal approximation when both samples
// have more than 8 values (its _mwu_choose_method; its docstring says "less than 8", the code
// says "at most 8"), and the exact distribution otherwise unless there are ties.
constexpr std::size_t auto_exact_max_size = 8;
// R's wilcox.test computes its exact interval when both samples have fewer than 50 values; the
// Hodges-Lehmann interval uses the exact distribution under the same condition.
constexpr std::size_t interval_exact_size = 50;
// Limits of the exact count (see u_counts): n1 n2 / 2 + 1 doubles of memory (8 MB at most) and
// about min(n1, n2) n1 n2 additions (25 M at most, some tens of milliseconds). Within them the
// total count C(n1 + n2, n1) stays far below the largest double (C(584, 292) ~ 1e174).
constexpr double exact_max_cells = 2e6;
constexpr double exact_max_work = 2.5e7;

boost::math::normal standard_normal() { return boost::math::normal(); }


double as_double(std::size_t n) { return static_cast<double>(n); }

bool exact_affordable(std::size_t n1, std::size_t n2) {
  const double cells = as_double(n1) * as_double(n2);
  return cells <= exact_max_cells && as_double(std::min(n1, n2)) * cells <= exact_max_work;
}

// Numbers of arrangements of sizes m and n (no ties) with U = 0, 1, ..., k: the coefficients
// of the Gaussian binomial [m + n choose m](q) = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i),
// built factor by factor and truncated at degree k (Harding 1984, Applied Statistics 33,
// algorithm AS R55; the same counts as the recursion of Mann & Whitney 1947,
// f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u)). A coefficient of degree d only depends
// on those below it, so truncation loses nothing. Each intermediate polynomial is the count
// for sizes (i, n), so the values are whole numbers, exact while below 2^53. Cost: m (k + 1)
// multiply-adds twice, k + 1 doubles.
std::vector<double> u_counts(std::size_t m, std::size_t n, std::size_t k) {
  if (m > n) std::swap(m, n);  // the distribution is symmetric in the two sizes
  std::vector<double> c(k + 1, 0.0);
  c[0] = 1;
  for (std::size_t i = 1; i <= m; ++i) {
    // Multiply by (1 - q^(n+i)), from the top so that each step reads the old coefficients.
    if (k >= n + i) {
      for (std::size_t d = k; d >= n + i; --d) c[d] -= c[d - n - i];
    }
    // Divide by (1 - q^i), that is multiply by 1 + q^i + q^2i + ...: a running sum with stride i.
    for (std::size_t d = i; d <= k; ++d) c[d] += c[d - i];
  }
  return c;
}

// Cumulative probabilities P(U <= d) for d = 0..k (k <= n1 n2).
std::vector<double> u_cdf(std::size_t n1, std::size_t n2, std::size_t k) {
  std::vector<double> c = u_counts(n1, n2, k);
  const double total = boost::math::binomial_coefficient<double>(
      static_cast<unsigned>(n1 + n2), static_cast<unsigned>(std::min(n1, n2)));
  double sum = 0;
  for (double& v : c) {
    sum += v;
    v = std::min(sum / total, 1.0);
  }
  return c;
}

// The combined ranking of both samples: U of the baseline and the tie term sum(t^3 - t).
struct ranking {
  double u_baseline = 0;
  double tie_term = 0;
  bool ties = false;
};

ranking rank_samples(std::span<const double> baseline, std::span<const double> candidate) {
  std::vector<std::pair<double, bool>> all;  // value, from the baseline
  all.reserve(baseline.size() + candidate.size());
  for (double x : baseline) all.emplace_back(x, true);
  for (double x : candidate) all.emplace_back(x, false);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  ranking r;
  double rank_sum = 0;  // of the baseline, ranks from 1, tied values share their mean rank
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i + 1;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double mean_rank = (as_double(i + 1) + as_double(j)) / 2;
    const auto from_baseline = std::count_if(all.begin() + static_cast<std::ptrdiff_t>(i),
                                             all.begin() + static_cast<std::ptrdiff_t>(j),
                                             [](const auto& v) { return v.second; });
    rank_sum += mean_rank * static_cast<double>(from_baseline);
    const double t = as_double(j - i);
    r.tie_term += t * t * t - t;
    if (j - i > 1) r.ties = true;
    i = j;
  }
  const double n1 = as_double(baseline.size());
  r.u_baseline = rank_sum - n1 * (n1 + 1) / 2;
  return r;
}

// The largest rank C with P(U <= C - 1) <= (1 - confidence) / 2, and the coverage
// 1 - 2 P(U <= C - 1) of [D_(C), D_(mn + 1 - C)]; C = 1 when no rank reaches the confidence.
std::pair<std::size_t, double> interval_rank(std::size_t n1, std::size_t n2, double confidence) {
  const std::size_t cells = n1 * n2;
  const std::size_t max_rank = (cells + 1) / 2;  // keeps D_(C) <= D_(mn + 1 - C)
  const double tail = (1 - confidence) / 2;
  if (n1 < interval_exact_size && n2 < interval_exact_size) {
    const std::vector<double> cdf = u_cdf(n1, n2, max_rank - 1);
    std::size_t rank = 1;
    while (rank < max_rank && cdf[rank] <= tail) ++rank;  // cdf[rank] = P(U <= (rank + 1) - 1)
    return {rank, 1 - 2 * cdf[rank - 1]};
  }
  // Hollander & Wolfe, eq. 4.41: C ~ mn/2 - z sqrt(mn (m + n + 1) / 12), taken to the nearest
  // whole rank; the + 1/2 is the continuity correction that keeps the coverage at least the
  // one asked for under the approximation.
  const double mean = as_double(cells) / 2;
  const double sigma = std::sqrt(as_double(cells) * (as_double(n1 + n2) + 1) / 12);
  const double z = boost::math::quantile(standard_normal(), 1 - tail);
  const double c = std::clamp(std::floor(mean - z * sigma + 0.5), 1.0, as_double(max_rank));
  const auto rank = static_cast<std::size_t>(c);
  const double below = boost::math::cdf(standard_normal(), (c - 0.5 - mean) / sigma);
  return {rank, 1 - 2 * below};
}

}  // namespace

namespace detail {

double mann_whitney_cdf(std::size_t n1, std::size_t n2, std::size_t k) {
  const std::size_t cells = n1 * n2;
  if (k >= cells) return 1;
  if (!exact_affordable(n1, n2)) {
    throw std::invalid_argument("mann_whitney_cdf: samples too large for the exact distribution");
  }
  // Count the shorter tail: P(U <= k) = 1 - P(U <= mn - k - 1) by symmetry.
  if (2 * k > cells) return 1 - u_cdf(n1, n2, cells - k - 1).back();
  return u_cdf(n1, n2, k).back();
}

}  // namespace detail

mann_whitney_result mann_whitney_u(std::span<const double> baseline,
                                   std::span<const double> candidate, mann_whitney_method method) {
  mann_whitney_result result;
  if (baseline.empty() || candidate.empty()) return result;
  const std::size_t n1 = baseline.size();
  const std::size_t n2 = candidate.size();
  const ranking r = rank_samples(baseline, candidate);
  result.u = r.u_baseline;
  const double cells = as_double(n1) * as_double(n2);
  const double u_max = std::max(r.u_baseline, cells - r.u_baseline);
  if (method == mann_whitney_method::exact && !exact_affordable(n1, n2)) {
    throw std::invalid_argument(
        "mann_whitney_u: the exact distribution is limited to n1 n2 <= 2000000 and "
        "min(n1, n2) n1 n2 <= 25000000; use the asymptotic method");
  }
  result.exact = method == mann_whitney_method::exact ||
                 (method == mann_whitney_method::automatic &&
                  std::min(n1, n2) <= auto_exact_max_size && !r.ties && exact_affordable(n1, n2));
  if (result.exact) {
    // Two-sided: twice P(U >= u_max) = twice P(U <= mn - u_max) by symmetry. With ties U can be
    // a half; it is rounded down first, as scipy does.
    const auto k = static_cast<std::size_t>(cells - std::floor(u_max));
    result.p_value = std::min(1.0, 2 * detail::mann_whitney_cdf(n1, n2, k));
    return result;
  }
  const double n = as_double(n1 + n2);
  const double variance = cells / 12 * ((n + 1) - r.tie_term / (n * (n - 1)));
  if (!(variance > 0)) {
    result.p_value = 1;  // all values equal: no evidence of any difference
    return result;
  }
  // U takes whole (with ties, half) steps; the continuity correction 1/2 moves u_max toward
  // the mean before the normal approximation.
  const double z = (u_max - cells / 2 - 0.5) / std::sqrt(variance);
  result.p_value =
      std::min(1.0, 2 * boost::math::cdf(boost::math::complement(standard_normal(), z)));
  return result;
}

shift_estimate hodges_lehmann(std::span<const double> baseline, std::span<const double> candidate,
                              double confidence) {
  check_probability(confidence, "hodges_lehmann: confidence");
  shift_estimate shift;
  if (baseline.empty() || candidate.empty()) return shift;
  std::vector<double> differences;
  differences.reserve(baseline.size() * candidate.size());
  for (double b : baseline) {
    for (double c : candidate) differences.push_back(c - b);
  }
  std::sort(differences.begin(), differences.end());
  shift.estimate = quantile_sorted(differences, 0.5);
  const auto [rank, coverage] = interval_rank(baseline.size(), candidate.size(), confidence);
  shift.low = differences[rank - 1];
  shift.high = differences[differences.size() - rank];
  shift.confidence = coverage;
  return shift;
}

shift_estimate relative_change(std::span<const double> baseline, std::span<const double> candidate,
                               double confidence) {
  check_probability(confidence, "relative_change: confidence");
  const auto logs = [](std::span<const double> values) {
    std::vector<double> out;
    out.reserve(values.size());
    for (double v : values) {
      if (!(v > 0)) {
        throw std::invalid_argument("relative_change: values must be positive");
      }
      out.push_back(std::log(v));
    }
    return out;
  };
  const std::vector<double> log_baseline = logs(baseline);
  const std::vector<double> log_candidate = logs(candidate);
  shift_estimate shift = hodges_lehmann(log_baseline, log_candidate, confidence);
  if (baseline.empty() || candidate.empty()) return shift;
  // exp is increasing, so the interval of the log shift maps onto the interval of the ratio;
  // expm1 keeps the digits of small changes.
  shift.estimate = std::expm1(shift.estimate);
  shift.low = std::expm1(shift.low);
  shift.high = std::expm1(shift.high);
  return shift;
}

std::vector<double> holm_adjust(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m);
  double running = 0;  // adjusted p-values never fall along the ascending order (step-down)
  for (std::size_t j = 0; j < m; ++j) {
    const double p = std::clamp(p_values[order[j]], 0.0, 1.0);
    running = std::max(running, std::min(1.0, as_double(m - j) * p));
    adjusted[order[j]] = running;
  }
  return adjusted;
}

interval wilson_interval(std::size_t successes, std::size_t trials, double confidence) {
  check_probability(confidence, "wilson_interval: confidence");
  if (successes > trials) {
    throw std::invalid_argument("wilson_interval: more successes than trials");
  }
  if (trials == 0) return {0, 1, 1};
  // Wilson (1927): the p whose score test |p_hat - p| / sqrt(p (1 - p) / n) <= z, solved:
  // center (p_hat + z^2 / 2n) / (1 + z^2 / n), half-width
  // z / (1 + z^2 / n) sqrt(p_hat (1 - p_hat) / n + z^2 / 4n^2).
  const double n = as_double(trials);
  const double p_hat = as_double(successes) / n;
  const double z = boost::math::quantile(standard_normal(), 0.5 + confidence / 2);
  const double z2 = z * z;
  const double denominator = 1 + z2 / n;
  const double center = (p_hat + z2 / (2 * n)) / denominator;
  const double half = z / denominator * std::sqrt(p_hat * (1 - p_hat) / n + z2 / (4 * n * n));
  // The ends are exactly 0 and 1 at p_hat 0 and 1; rounding would otherwise leave -1e-17.
  const double low = successes == 0 ? 0.0 : std::max(0.0, center - half);
  const double high = successes == trials ? 1.0 : std::min(1.0, center + half);
  return {low, high, confidence};
}

double min_attainable_p(std::size_t n1, std::size_t n2) {
  if (n1 == 0 || n2 == 0) return 1;
  // The most extreme arrangement (no overlap) has probability 1 / C(n1 + n2, n1) on each side.
  const double log_count = std::lgamma(as_double(n1 + n2) + 1) - std::lgamma(as_double(n1) + 1) -
                           std::lgamma(as_double(n2) + 1);
  if (log_count > 700) return 2 * std::exp(-log_count);  // beyond binomial_coefficient's range
  const double count = boost::math::binomial_coefficient<double>(
      static_cast<unsigned>(n1 + n2), static_cast<unsigned>(std::min(n1, n2)));
  return std::min(1.0, 2 / count);
}

std::size_t min_sample_size(double alpha) {
  check_probability(alpha, "min_sample_size: alpha");
  std::size_t n = 1;
  while (min_attainable_p(n, n) >= alpha) ++n;  // p falls by about 4x per step
  return n;
}

}  // namespace perfcheck::stats
