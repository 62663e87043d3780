// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PELT for changes in the mean; the method and its constants are explained in changepoint.hpp
// and docs/reports.md.
#include "perfcheck/stats/changepoint.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::stats {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// Segment costs in O(1) from prefix sums of the centred, scaled values.
class segment_costs {
 public:
  segment_costs(std::span<const double> values, double center, double sigma)
      : s1_(values.size() + 1, 0.0), s2_(values.size() + 1, 0.0) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double y = (values[i] - center) / sigma;
      s1_[i + 1] = s1_[i] + y;
      s2_[i + 1] = s2_[i] + y * y;
    }
  }

  // Cost of values [a, b), a < b: the scaled sum of squared deviations from their mean.
  double operator()(std::size_t a, std::size_t b) const {
    const double sum = s1_[b] - s1_[a];
    const double cost = (s2_[b] - s2_[a]) - sum * sum / static_cast<double>(b - a);
    return cost > 0 ? cost : 0.0;  // rounding can make a constant segment slightly negative
  }

 private:
  std::vector<double> s1_, s2_;
};

struct candidate {
  std::size_t tau;      // the last change point this candidate stands for
  std::size_t expires;  // first t at which it is provably never optimal again
};

// The change points from the argmins (last[t]: start of the last segment of [0, t)), and the
// mean of each segment.
void trace_back(std::span<const double> values, const std::vector<std::size_t>& last, segmentation& out) {
  const std::size_t n = values.size();
  for (std::size_t t = n; t > 0; t = last[t]) {
    if (last[t] > 0) out.changepoints.push_back(last[t]);
  }
  std::reverse(out.changepoints.begin(), out.changepoints.end());
  std::size_t begin = 0;
  for (std::size_t k = 0; k <= out.changepoints.size(); ++k) {
    const std::size_t end = k < out.changepoints.size() ? out.changepoints[k] : n;
    out.means.push_back(mean(values.subspan(begin, end - begin)));
    begin = end;
  }
}

}  // namespace

segmentation pelt_mean(std::span<const double> values, double sigma, double penalty,
                       std::size_t min_segment) {
  const std::size_t n = values.size();
  const std::size_t m = std::max<std::size_t>(min_segment, 1);
  segmentation out;
  out.sigma = sigma;
  out.penalty = penalty;
  if (n == 0) return out;
  const double center = mean(values);
  if (!(sigma > 0) || n < 2 * m) {
    out.means = {center};
    if (sigma > 0) out.cost = segment_costs(values, center, sigma)(0, n);
    return out;
  }
  const segment_costs cost(values, center, sigma);

  // F[t]: optimal penalized cost of values [0, t), with F[0] = -penalty so that the first
  // segment carries no penalty. last[t]: the argmin, the start of the last segment.
  std::vector<double> F(n + 1, infinity);
  std::vector<std::size_t> last(n + 1, 0);
  F[0] = -penalty;
  std::vector<candidate> live;
  constexpr std::size_t never = std::numeric_limits<std::size_t>::max();

  for (std::size_t t = 1; t <= n; ++t) {
    if (t < m) continue;  // no segmentation of [0, t) has segments of m values
    // tau = t - m can end a segment now: it is 0 or itself the end of a valid segmentation.
    const std::size_t fresh = t - m;
    if (fresh == 0 || fresh >= m) live.push_back({fresh, never});
    std::erase_if(live, [t](const candidate& c) { return c.expires <= t; });

    double best = infinity;
    std::size_t arg = 0;
    for (const candidate& c : live) {  // ascending tau: strict < keeps the earliest on ties
      const double v = F[c.tau] + cost(c.tau, t) + penalty;
      if (v < best) {
        best = v;
        arg = c.tau;
      }
    }
    F[t] = best;
    last[t] = arg;

    // Pruning (Killick et al. 2012, theorem 3.1, K = 0 since C is superadditive): when
    // F(tau) + C(tau..t) > F(t), ending the last segment at t beats ending it at tau for every
    // later T with a valid final segment (t..T), i.e. T >= t + m. Until then tau stays. The
    // margin keeps rounding from pruning a candidate that is only equal.
    const double margin = 1e-9 * (1.0 + std::fabs(best));
    for (candidate& c : live) {
      if (c.expires == never && F[c.tau] + cost(c.tau, t) > best + margin) c.expires = t + m;
    }
  }

  trace_back(values, last, out);
  out.cost = F[n];
  return out;
}

double difference_noise_scale(std::span<const double> values) {
  if (values.size() < 3) return 0;
  std::vector<double> differences;
  differences.reserve(values.size() - 1);
  for (std::size_t i = 1; i < values.size(); ++i) differences.push_back(values[i] - values[i - 1]);
  const double spread = mad(differences);
  if (spread > 0) return mad_to_sigma * spread / std::sqrt(2.0);
  return stddev(differences) / std::sqrt(2.0);
}

double default_changepoint_penalty(std::size_t n) {
  return n < 2 ? 0.0 : 3.0 * std::log(static_cast<double>(n));
}

segmentation detect_changepoints(std::span<const double> values) {
  constexpr std::size_t min_results = 2;
  constexpr std::size_t min_history = 6;
  const double sigma = values.size() < min_history ? 0.0 : difference_noise_scale(values);
  return pelt_mean(values, sigma, default_changepoint_penalty(values.size()), min_results);
}

}  // namespace perfcheck::stats
