// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PELT against independent exact solvers: optimal partitioning (the O(n^2) dynamic program of
// Jackson et al. 2005) and, for short series, enumeration of every segmentation. Both compute
// segment costs directly (two-pass sums of squares), not from PELT's prefix sums.
#define BOOST_TEST_MODULE changepoint
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "perfcheck/stats/changepoint.hpp"

namespace tt = boost::test_tools;
using perfcheck::stats::detect_changepoints;
using perfcheck::stats::pelt_mean;

namespace {

// sum((x - mean)^2) / sigma^2 over [a, b), two-pass.
double direct_cost(const std::vector<double>& x, std::size_t a, std::size_t b, double sigma) {
  double sum = 0;
  for (std::size_t i = a; i < b; ++i) sum += x[i];
  const double m = sum / static_cast<double>(b - a);
  double ss = 0;
  for (std::size_t i = a; i < b; ++i) ss += (x[i] - m) * (x[i] - m);
  return ss / (sigma * sigma);
}

struct solution {
  std::vector<std::size_t> changepoints;
  double cost = 0;
};

// Optimal partitioning: F(t) = min over the start tau of the last segment of
// F(tau) + C(tau, t) + beta, with every segment at least m long; ties to the earliest tau.
solution optimal_partitioning(const std::vector<double>& x, double sigma, double beta,
                              std::size_t m) {
  const std::size_t n = x.size();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> F(n + 1, inf);
  std::vector<std::size_t> from(n + 1, 0);
  F[0] = -beta;
  for (std::size_t t = m; t <= n; ++t) {
    for (std::size_t tau = 0; tau + m <= t; ++tau) {
      if (tau != 0 && tau < m) continue;
      const double v = F[tau] + direct_cost(x, tau, t, sigma) + beta;
      if (v < F[t]) {
        F[t] = v;
        from[t] = tau;
      }
    }
  }
  solution s;
  for (std::size_t t = n; t > 0; t = from[t]) {
    if (from[t] > 0) s.changepoints.insert(s.changepoints.begin(), from[t]);
  }
  s.cost = F[n];
  return s;
}

// Every subset of {1..n-1} as change points (segments >= m); the cheapest wins.
solution enumerate_all(const std::vector<double>& x, double sigma, double beta, std::size_t m) {
  const std::size_t n = x.size();
  solution best;
  best.cost = std::numeric_limits<double>::infinity();
  for (std::uint32_t mask = 0; mask < (1u << (n - 1)); ++mask) {
    std::vector<std::size_t> cps;
    for (std::size_t i = 1; i < n; ++i) {
      if (mask & (1u << (i - 1))) cps.push_back(i);
    }
    std::size_t begin = 0;
    double cost = 0;
    bool valid = true;
    for (std::size_t k = 0; k <= cps.size() && valid; ++k) {
      const std::size_t end = k < cps.size() ? cps[k] : n;
      if (end - begin < m)
        valid = false;
      else
        cost += direct_cost(x, begin, end, sigma);
      begin = end;
    }
    if (!valid) continue;
    cost += beta * static_cast<double>(cps.size());
    if (cost < best.cost - 1e-9 * (1 + std::fabs(cost))) best = {cps, cost};
  }
  return best;
}

// Random series of several shapes: noise, steps, drifts, heavy tails, outliers.
std::vector<double> random_series(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<double> normal(0, 1);
  std::student_t_distribution<double> heavy(2.5);
  std::uniform_int_distribution<int> shape(0, 4);
  std::uniform_real_distribution<double> level(-4, 4);
  std::bernoulli_distribution jump(0.05);
  const int kind = shape(rng);
  std::vector<double> x(n);
  double mu = level(rng);
  for (std::size_t i = 0; i < n; ++i) {
    if (kind != 0 && jump(rng)) mu += level(rng);
    double e = kind == 3 ? heavy(rng) : normal(rng);
    if (kind == 4 && jump(rng)) e *= 20;  // an outlier
    x[i] = 100 + mu + (kind == 2 ? 0.02 * static_cast<double>(i) : 0.0) + e;
  }
  return x;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pelt_equals_optimal_partitioning_on_random_series) {
  std::mt19937_64 rng(20120901);  // fixed: the test is deterministic
  std::uniform_int_distribution<std::size_t> length(1, 150);
  std::uniform_int_distribution<std::size_t> min_len(1, 4);
  std::uniform_real_distribution<double> penalty_scale(0.3, 4.0);
  int with_changes = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const auto x = random_series(rng, length(rng));
    const std::size_t m = min_len(rng);
    const double sigma =
        trial % 2 ? 1.0 : std::max(0.2, perfcheck::stats::difference_noise_scale(x));
    const double beta = penalty_scale(rng) * std::log(static_cast<double>(x.size()) + 1);
    const auto pelt = pelt_mean(x, sigma, beta, m);
    if (x.size() < m) {  // no segmentation has segments of m values: documented as one segment
      BOOST_TEST(pelt.changepoints.empty());
      continue;
    }
    const auto op = optimal_partitioning(x, sigma, beta, m);
    BOOST_TEST_CONTEXT("trial " << trial << " n=" << x.size() << " m=" << m << " beta=" << beta) {
      BOOST_TEST(pelt.changepoints == op.changepoints, tt::per_element());
      BOOST_TEST(pelt.cost == op.cost, tt::tolerance(1e-8));
      BOOST_TEST(pelt.means.size() == pelt.changepoints.size() + 1);
    }
    if (!pelt.changepoints.empty()) ++with_changes;
  }
  BOOST_TEST(with_changes > 300);  // the series exercise real segmentations, not only none
}

BOOST_AUTO_TEST_CASE(pelt_equals_exhaustive_search_on_short_series) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::size_t> length(1, 13);
  std::uniform_int_distribution<std::size_t> min_len(1, 3);
  std::uniform_real_distribution<double> beta_dist(0.1, 8.0);
  for (int trial = 0; trial < 400; ++trial) {
    const auto x = random_series(rng, length(rng));
    const std::size_t m = min_len(rng);
    const double beta = beta_dist(rng);
    const auto pelt = pelt_mean(x, 1.0, beta, m);
    if (x.size() < m) {
      BOOST_TEST(pelt.changepoints.empty());
      continue;
    }
    const auto all = enumerate_all(x, 1.0, beta, m);
    BOOST_TEST_CONTEXT("trial " << trial << " n=" << x.size() << " m=" << m) {
      BOOST_TEST(pelt.changepoints == all.changepoints, tt::per_element());
      BOOST_TEST(pelt.cost == all.cost, tt::tolerance(1e-8));
    }
  }
}

BOOST_AUTO_TEST_CASE(clear_step_is_found_where_it_is) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0, 0.1);
  std::vector<double> x;
  for (int i = 0; i < 40; ++i) x.push_back(10 + noise(rng));
  for (int i = 0; i < 25; ++i) x.push_back(12 + noise(rng));
  const auto s = detect_changepoints(x);
  BOOST_TEST(s.changepoints == std::vector<std::size_t>{40}, tt::per_element());
  BOOST_TEST(s.means.at(0) == 10.0, tt::tolerance(0.01));
  BOOST_TEST(s.means.at(1) == 12.0, tt::tolerance(0.01));
  BOOST_TEST(s.penalty == 3 * std::log(65.0), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(noise_alone_has_no_change_points) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(50, 2);
  int false_alarms = 0;
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> x;
    for (int i = 0; i < 200; ++i) x.push_back(noise(rng));
    false_alarms += static_cast<int>(detect_changepoints(x).changepoints.size());
  }
  BOOST_TEST(false_alarms <= 2);
}

BOOST_AUTO_TEST_CASE(degenerate_inputs) {
  BOOST_TEST(detect_changepoints(std::vector<double>{}).changepoints.empty());
  BOOST_TEST(detect_changepoints(std::vector<double>{1, 2, 3}).changepoints.empty());
  BOOST_TEST(detect_changepoints(std::vector<double>{1, 1, 1, 9, 9}).changepoints.empty());
  BOOST_TEST(detect_changepoints(std::vector<double>{1, 1, 1, 9, 9, 9}).changepoints ==
                 std::vector<std::size_t>{3},
             tt::per_element());
  const std::vector<double> flat(30, 5.0);
  const auto s = detect_changepoints(flat);
  BOOST_TEST(s.changepoints.empty());
  BOOST_TEST(s.means == std::vector<double>{5.0}, tt::per_element());
  // Exact steps without noise: the MAD of the differences is 0; the fallback scale still
  // finds both steps.
  std::vector<double> steps(20, 1.0);
  steps.insert(steps.end(), 20, 3.0);
  steps.insert(steps.end(), 20, 2.0);
  BOOST_TEST(detect_changepoints(steps).changepoints == (std::vector<std::size_t>{20, 40}),
             tt::per_element());
  // sigma 0: one segment.
  BOOST_TEST(pelt_mean(steps, 0.0, 1.0).changepoints.empty());
  BOOST_TEST(perfcheck::stats::default_changepoint_penalty(1) == 0.0);
}

BOOST_AUTO_TEST_CASE(min_segment_is_respected) {
  // A single outlier is a segment of one: allowed with m = 1, refused with m = 2.
  std::vector<double> x(30, 0.0);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i % 2 ? 0.1 : -0.1);
  x[15] = 50;
  BOOST_TEST(pelt_mean(x, 0.1, 5.0, 1).changepoints == (std::vector<std::size_t>{15, 16}),
             tt::per_element());
  for (std::size_t cp : pelt_mean(x, 0.1, 5.0, 2).changepoints) {
    BOOST_TEST(cp >= 2u);
    BOOST_TEST(cp <= 28u);
  }
}
