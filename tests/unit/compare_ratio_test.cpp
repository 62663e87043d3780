// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Ratios of means and of quantiles against tests/unit/reference/compare_ratio_reference.py (the
// standard library only: its own binomial sums, Student's t by numerical integration), which first
// checks itself against Conover's table (n = 20, median: X(6), X(15), 95.86%) and t tables.
#define BOOST_TEST_MODULE compare_ratio
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "perfcheck/stats/compare_ratio.hpp"

namespace tt = boost::test_tools;
using namespace perfcheck::stats;

namespace {

// The samples of compare_ratio_reference.py; keep the two in step.
const std::vector<double> base5 = {10.0, 12.0, 14.0, 16.0, 18.0};
const std::vector<double> cand5 = {12.0, 14.4, 16.8, 19.2, 21.6};
const std::vector<double> uneq_b = {101.0, 97.5, 103.2, 99.8, 100.4, 98.9, 102.1};
const std::vector<double> uneq_c = {118.0, 109.5, 125.3, 112.2, 121.7, 115.0, 108.4, 119.9, 123.6, 111.1};
const std::vector<double> twenty_b = {5.22, 5.35, 5.47, 5.18, 5.29, 5.51, 5.38, 5.44, 5.05, 5.31,
                                      5.56, 5.27, 5.42, 5.36, 5.19, 5.49, 5.24, 5.58, 5.34, 5.40};
const std::vector<double> twenty_c = {5.81, 5.93, 6.02, 5.74, 5.88, 6.10, 5.97, 5.69, 6.05, 5.85,
                                      5.91, 6.15, 5.79, 5.99, 5.83, 6.08, 5.95, 5.77, 6.01, 5.87};

}  // namespace

BOOST_AUTO_TEST_CASE(order_statistic_ranks_match_the_binomial_reference) {
  // Conover §3.2: n = 20, the median's 95% interval is (X(6), X(15)) with coverage 0.9586.
  auto r = quantile_interval_ranks(20, 0.5, 0.95);
  BOOST_TEST(r.low == 6u);
  BOOST_TEST(r.high == 15u);
  BOOST_TEST(r.coverage == 0.9586105346679688, tt::tolerance(1e-12));
  r = quantile_interval_ranks(30, 0.9, 0.99);
  BOOST_TEST(r.low == 22u);
  BOOST_TEST(r.high == 31u);  // n + 1: no upper bound with 30 values
  BOOST_TEST(r.coverage == 0.9979801709947417, tt::tolerance(1e-12));
  r = quantile_interval_ranks(150, 0.95, std::sqrt(0.99));
  BOOST_TEST(r.low == 134u);
  BOOST_TEST(r.high == 150u);
  BOOST_TEST(r.coverage == 0.9981053254951401, tt::tolerance(1e-12));
  BOOST_TEST(quantile_interval_ranks(116, 0.95, std::sqrt(0.99)).high == 117u);
  BOOST_TEST(quantile_interval_ranks(117, 0.95, std::sqrt(0.99)).high == 117u);
  BOOST_TEST(min_quantile_runs(0.95, std::sqrt(0.99)) == 117u);
  BOOST_CHECK_THROW(quantile_interval_ranks(10, 1.0, 0.9), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(ratio_of_means_matches_the_delta_method_reference) {
  // Equal relative spread on both sides: Welch's df is exactly 2 (5 - 1) = 8.
  auto r = mean_ratio(base5, cand5, 0.99);
  BOOST_TEST(r.change.estimate == 0.2, tt::tolerance(1e-12));
  BOOST_TEST(r.change.low == -0.2569704698255242, tt::tolerance(1e-6));
  BOOST_TEST(r.change.high == 0.93801180373257, tt::tolerance(1e-6));
  BOOST_TEST(r.p_value == 0.23766891719369543, tt::tolerance(1e-6));
  r = mean_ratio(uneq_b, uneq_c, 0.99);
  BOOST_TEST(r.change.estimate == 0.15989472186655274, tt::tolerance(1e-12));
  BOOST_TEST(r.change.low == 0.09783636091911685, tt::tolerance(1e-6));
  BOOST_TEST(r.change.high == 0.22546111033118432, tt::tolerance(1e-6));
  BOOST_TEST(r.p_value == 2.659099146207211e-06, tt::tolerance(1e-4));
  // The null of a required change: is the candidate 20% larger?
  BOOST_TEST(mean_ratio(uneq_b, uneq_c, 0.95, 0.2).p_value == 0.08362419771272256, tt::tolerance(1e-6));
  const std::vector<double> one{1.0}, negative{1.0, -1.0}, twos{2.0, 2.0, 2.0}, threes{3.0, 3.0, 3.0};
  BOOST_CHECK_THROW(mean_ratio(one, uneq_c, 0.99), std::invalid_argument);
  BOOST_CHECK_THROW(mean_ratio(negative, uneq_c, 0.99), std::invalid_argument);
  // No spread at all: the interval is the estimate.
  r = mean_ratio(twos, threes, 0.99);
  BOOST_TEST(r.change.low == 0.5, tt::tolerance(1e-12));
  BOOST_TEST(r.p_value == 0.0);
}

BOOST_AUTO_TEST_CASE(ratio_of_quantiles_takes_both_order_statistic_intervals) {
  // Each side at sqrt(0.9025) = 0.95: Conover's ranks (6, 15) on both sides.
  const auto r = quantile_ratio(twenty_b, twenty_c, 0.5, 0.9025);
  BOOST_TEST(r.change.low == 0.07169117647058809, tt::tolerance(1e-12));
  BOOST_TEST(r.change.high == 0.1404174573055028, tt::tolerance(1e-12));
  BOOST_TEST(r.change.confidence == 0.9189341571764089, tt::tolerance(1e-12));
  BOOST_TEST(r.change.low < r.change.estimate);
  BOOST_TEST(r.change.estimate < r.change.high);
  // p of "no change" by inverting the interval (the reference bisects on its own ranks).
  BOOST_TEST(r.p_value == 3.8146936275915127e-06, tt::tolerance(1e-6));
  const auto same = quantile_ratio(twenty_b, twenty_b, 0.5, 0.9025);
  BOOST_TEST(same.p_value == 1.0);
  // Too few values for a p95 interval with both ends: refused (the gate asks for 117).
  BOOST_CHECK_THROW(quantile_ratio(twenty_b, twenty_c, 0.95, 0.99), std::invalid_argument);
}
