// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/stats/compare_ratio.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace perfcheck::stats {
namespace {

void require_positive(std::span<const double> values, std::size_t at_least, const char* what) {
  if (values.size() < at_least) throw std::invalid_argument(std::string(what) + ": too few values");
  if (!std::all_of(values.begin(), values.end(), [](double x) { return x > 0 && std::isfinite(x); })) {
    throw std::invalid_argument(std::string(what) + ": values must be positive");
  }
}

std::vector<double> sorted(std::span<const double> values) {
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

ratio_estimate mean_ratio(std::span<const double> baseline, std::span<const double> candidate,
                          double confidence, double null_change) {
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("mean_ratio: confidence outside (0, 1)");
  require_positive(baseline, 2, "mean_ratio");
  require_positive(candidate, 2, "mean_ratio");
  const double mb = mean(baseline), mc = mean(candidate);
  const double nb = static_cast<double>(baseline.size()), nc = static_cast<double>(candidate.size());
  const double a = std::pow(stddev(baseline) / mb, 2) / nb;  // variance of log(mean_b), delta method
  const double b = std::pow(stddev(candidate) / mc, 2) / nc;
  const double log_ratio = std::log(mc / mb);
  const double distance = log_ratio - std::log1p(null_change);
  ratio_estimate out;
  out.change.estimate = mc / mb - 1;
  out.change.confidence = confidence;
  if (a + b == 0) {
    out.change.low = out.change.high = out.change.estimate;
    out.p_value = distance == 0 ? 1 : 0;
    return out;
  }
  const double se = std::sqrt(a + b);
  const double df = (a + b) * (a + b) / (a * a / (nb - 1) + b * b / (nc - 1));
  const boost::math::students_t t(df);
  const double half = boost::math::quantile(t, 1 - (1 - confidence) / 2) * se;
  out.change.low = std::exp(log_ratio - half) - 1;
  out.change.high = std::exp(log_ratio + half) - 1;
  out.p_value = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(t, std::abs(distance) / se)));
  return out;
}

quantile_ranks quantile_interval_ranks(std::size_t n, double q, double confidence) {
  if (!(q > 0 && q < 1) || !(confidence > 0 && confidence < 1)) {
    throw std::invalid_argument("quantile_interval_ranks: q and confidence must be in (0, 1)");
  }
  quantile_ranks r{0, n + 1, 0};
  if (n == 0) return r;
  const boost::math::binomial b(static_cast<double>(n), q);
  const double tail = (1 - confidence) / 2;
  const auto cdf = [&](std::size_t k) { return boost::math::cdf(b, static_cast<double>(k)); };
  for (std::size_t low = n; low >= 1; --low) {  // largest rank with P(B <= low - 1) <= tail
    if (cdf(low - 1) <= tail) {
      r.low = low;
      break;
    }
  }
  for (std::size_t high = 1; high <= n; ++high) {  // smallest rank with P(B <= high - 1) >= 1 - tail
    if (cdf(high - 1) >= 1 - tail) {
      r.high = high;
      break;
    }
  }
  const double below = r.low == 0 ? 0 : cdf(r.low - 1);
  const double upto = r.high > n ? 1 : cdf(r.high - 1);
  r.coverage = upto - below;
  return r;
}

std::size_t min_quantile_runs(double q, double confidence) {
  for (std::size_t n = 1;; ++n) {
    const auto r = quantile_interval_ranks(n, q, confidence);
    if (r.low >= 1 && r.high <= n) return n;
  }
}

namespace {

// The log-ratio interval at `confidence`, from both sorted sides; false when an end is missing.
bool log_ratio_interval(const std::vector<double>& b, const std::vector<double>& c, double q,
                        double confidence, double& low, double& high, double& coverage) {
  const double each = std::sqrt(confidence);
  const auto rb = quantile_interval_ranks(b.size(), q, each);
  const auto rc = quantile_interval_ranks(c.size(), q, each);
  if (rb.low < 1 || rb.high > b.size() || rc.low < 1 || rc.high > c.size()) return false;
  low = std::log(c[rc.low - 1] / b[rb.high - 1]);
  high = std::log(c[rc.high - 1] / b[rb.low - 1]);
  coverage = rb.coverage * rc.coverage;
  return true;
}

}  // namespace

ratio_estimate quantile_ratio(std::span<const double> baseline, std::span<const double> candidate,
                              double q, double confidence, double null_change) {
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("quantile_ratio: confidence outside (0, 1)");
  const std::size_t need = min_quantile_runs(q, std::sqrt(confidence));
  require_positive(baseline, need, "quantile_ratio");
  require_positive(candidate, need, "quantile_ratio");
  const auto b = sorted(baseline), c = sorted(candidate);
  ratio_estimate out;
  out.change.estimate = quantile_sorted(c, q) / quantile_sorted(b, q) - 1;
  double low = 0, high = 0, coverage = 0;
  log_ratio_interval(b, c, q, confidence, low, high, coverage);
  out.change.low = std::exp(low) - 1;
  out.change.high = std::exp(high) - 1;
  out.change.confidence = coverage;
  // p by inversion: bisect on alpha for the interval's edge at the null (it narrows as alpha
  // grows). Alphas whose interval has no ends count as not excluding the null.
  const double null_log = std::log1p(null_change);
  const auto excludes = [&](double alpha) {
    double l = 0, h = 0, cov = 0;
    return log_ratio_interval(b, c, q, 1 - alpha, l, h, cov) && (null_log < l || null_log > h);
  };
  if (!excludes(1 - 1e-9)) {
    out.p_value = 1;
    return out;
  }
  double lo = 0, hi = 1 - 1e-9;  // excludes(hi) holds; find the smallest such alpha
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (excludes(mid) ? hi : lo) = mid;
  }
  out.p_value = hi;
  return out;
}

}  // namespace perfcheck::stats
