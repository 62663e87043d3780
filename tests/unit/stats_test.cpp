// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Statistics against numpy/scipy, exact binomial sums, and hand-worked examples.
#define BOOST_TEST_MODULE stats
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "perfcheck/model/units.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "perfcheck/stats/diagnostics.hpp"

namespace tt = boost::test_tools;
using namespace perfcheck;
using namespace perfcheck::stats;

namespace {

// Relative tolerance for values from numpy: a few ulps of summation-order difference.
constexpr double tol = 1e-12;

// The samples of tests/unit/reference/stats_reference.py (SAMPLES); keep both in step.
const std::vector<double> twelve = {10.2, 9.8,  10.5, 10.1, 9.9,  10.0,
                                    10.3, 25.7, 10.4, 9.7,  10.6, 10.2};
const std::vector<double> seven = {3.0, -1.5, 2.25, 7.0, 0.5, 4.75, -2.0};
const std::vector<double> wall_sample = {1234567.0, 1250000.0, 1229876.0, 1301234.0, 1240000.0,
                                         1238765.0, 1245678.0, 1236543.0, 1900000.0, 1242000.0};

struct reference {
  const std::vector<double>* values;
  double mean, stddev, median, mad, robust_cv;
  std::vector<double> quantiles;  // at probs below
  std::vector<std::size_t> outliers;
  double ci_low, ci_high, ci_coverage;
};

const std::vector<double> probs = {0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0};

// Printed by tests/unit/reference/stats_reference.py with numpy 1.24.2 and scipy 1.10.1:
// mean = numpy.mean(x); stddev = numpy.std(x, ddof=1); median = numpy.median(x);
// mad = scipy.stats.median_abs_deviation(x, scale=1.0); robust_cv = 1.4826 * mad / |median|;
// quantiles = numpy.quantile(x, p, method='linear') for p in probs; outliers = indexes with
// |0.6745 (x - median) / mad| > 3.5; CI = order statistics from scipy.stats.binom (see below).
// clang-format off
const std::vector<reference> references = {
    {&twelve, 11.450000000000001, 4.495957780455279, 10.2, 0.25, 0.03633823529411765,
     {9.7, 9.81, 9.975, 10.2, 10.59, 17.39499999999999, 24.03900000000001, 25.7},
     {7}, 9.9, 10.5, 0.96142578125},
    {&seven, 2.0, 3.2691742076555053, 2.25, 2.5, 1.647333333333333,
     {-2.0, -1.7, -0.5, 2.25, 5.65, 6.324999999999998, 6.864999999999998, 7.0},
     {}, -2.0, 7.0, 0.984375},
    {&wall_sample, 1311866.3, 207627.78678900373, 1241000.0, 5555.5, 0.006637054230459308,
     {1229876.0, 1234097.9, 1237098.5, 1241000.0, 1361110.5999999999, 1630555.2999999993,
      1846111.06, 1900000.0},
     {3, 8}, 1234567.0, 1301234.0, 0.978515625},
};
// clang-format on

std::vector<double> sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<double> one_to(std::size_t n) {
  std::vector<double> v;
  for (std::size_t i = 1; i <= n; ++i) v.push_back(static_cast<double>(i));
  return v;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(descriptive)

BOOST_AUTO_TEST_CASE(reference_samples_match_numpy_and_scipy) {
  for (const reference& r : references) {
    const std::vector<double>& x = *r.values;
    BOOST_TEST_CONTEXT("sample of " << x.size() << " values") {
      BOOST_TEST(mean(x) == r.mean, tt::tolerance(tol));
      BOOST_TEST(stddev(x) == r.stddev, tt::tolerance(tol));
      BOOST_TEST(median(x) == r.median, tt::tolerance(tol));
      BOOST_TEST(mad(x) == r.mad, tt::tolerance(tol));
      BOOST_TEST(robust_cv(x) == r.robust_cv, tt::tolerance(tol));
      const std::vector<double> s = sorted(x);
      for (std::size_t i = 0; i < probs.size(); ++i) {
        BOOST_TEST_CONTEXT("p = " << probs[i]) {
          BOOST_TEST(quantile_sorted(s, probs[i]) == r.quantiles[i], tt::tolerance(tol));
        }
      }
      BOOST_TEST(outliers_modified_z(x) == r.outliers, tt::per_element());
      const interval ci = median_ci(s);
      BOOST_TEST(ci.low == r.ci_low);
      BOOST_TEST(ci.high == r.ci_high);
      BOOST_TEST(ci.confidence == r.ci_coverage, tt::tolerance(tol));
    }
  }
}

BOOST_AUTO_TEST_CASE(summarize_fills_every_field) {
  // Same reference values as above (sample "wall_ns"); the input is deliberately unsorted.
  const metric_summary s = summarize(wall_sample);
  BOOST_TEST(s.n == 10u);
  BOOST_TEST(s.min == 1229876.0);
  BOOST_TEST(s.max == 1900000.0);
  BOOST_TEST(s.mean == 1311866.3, tt::tolerance(tol));
  BOOST_TEST(s.median == 1241000.0, tt::tolerance(tol));
  BOOST_TEST(s.stddev == 207627.78678900373, tt::tolerance(tol));
  BOOST_TEST(s.mad == 5555.5, tt::tolerance(tol));
  BOOST_TEST(s.p90 == 1361110.5999999999, tt::tolerance(tol));
  BOOST_TEST(s.p95 == 1630555.2999999993, tt::tolerance(tol));
  BOOST_TEST(s.p99 == 1846111.06, tt::tolerance(tol));
  BOOST_TEST(s.ci_low == 1234567.0);
  BOOST_TEST(s.ci_high == 1301234.0);
}

BOOST_AUTO_TEST_CASE(empty_sample_gives_zeros) {
  const std::vector<double> none;
  BOOST_TEST(mean(none) == 0.0);
  BOOST_TEST(stddev(none) == 0.0);
  BOOST_TEST(quantile_sorted(none, 0.5) == 0.0);
  BOOST_TEST(median(none) == 0.0);
  BOOST_TEST(mad(none) == 0.0);
  BOOST_TEST(robust_cv(none) == 0.0);
  BOOST_TEST(modified_z_score(none, 1.0) == 0.0);
  BOOST_TEST(outliers_modified_z(none).empty());
  const interval ci = median_ci(none);
  BOOST_TEST(ci.low == 0.0);
  BOOST_TEST(ci.high == 0.0);
  BOOST_TEST(ci.confidence == 0.0);
  BOOST_TEST((summarize(none) == metric_summary{}));
}

BOOST_AUTO_TEST_CASE(one_value) {
  const std::vector<double> x = {7.5};
  BOOST_TEST(mean(x) == 7.5);
  BOOST_TEST(stddev(x) == 0.0);
  BOOST_TEST(median(x) == 7.5);
  BOOST_TEST(mad(x) == 0.0);
  BOOST_TEST(quantile_sorted(x, 0.0) == 7.5);
  BOOST_TEST(quantile_sorted(x, 0.99) == 7.5);
  BOOST_TEST(robust_cv(x) == 0.0);
  BOOST_TEST(outliers_modified_z(x).empty());
  // One order statistic cannot bracket the median: P(1 <= B <= 0) = 0.
  const interval ci = median_ci(x);
  BOOST_TEST(ci.low == 7.5);
  BOOST_TEST(ci.high == 7.5);
  BOOST_TEST(ci.confidence == 0.0);
  const metric_summary s = summarize(x);
  BOOST_TEST(s.n == 1u);
  BOOST_TEST(s.min == 7.5);
  BOOST_TEST(s.max == 7.5);
  BOOST_TEST(s.p99 == 7.5);
  BOOST_TEST(s.stddev == 0.0);
  BOOST_TEST(s.ci_low == 7.5);
  BOOST_TEST(s.ci_high == 7.5);
}

BOOST_AUTO_TEST_CASE(all_values_equal) {
  const std::vector<double> x(9, 3.25);
  BOOST_TEST(mean(x) == 3.25);
  BOOST_TEST(stddev(x) == 0.0);
  BOOST_TEST(median(x) == 3.25);
  BOOST_TEST(mad(x) == 0.0);
  BOOST_TEST(robust_cv(x) == 0.0);
  BOOST_TEST(outliers_modified_z(x).empty());
  // Without any spread, a value other than the median is infinitely far from it.
  BOOST_TEST(modified_z_score(x, 3.25) == 0.0);
  BOOST_TEST(modified_z_score(x, 3.5) == std::numeric_limits<double>::infinity());
  BOOST_TEST(modified_z_score(x, 3.0) == -std::numeric_limits<double>::infinity());
  const interval ci = median_ci(x);
  BOOST_TEST(ci.low == 3.25);
  BOOST_TEST(ci.high == 3.25);
}

BOOST_AUTO_TEST_CASE(quantile_clamps_p_and_interpolates) {
  const std::vector<double> x = {1.0, 2.0, 4.0, 8.0};
  // Hyndman & Fan definition 7 by hand: h = (n - 1) p; x[floor h] + (h - floor h) * gap.
  BOOST_TEST(quantile_sorted(x, 0.5) == 3.0);   // h = 1.5: 2 + 0.5 * 2
  BOOST_TEST(quantile_sorted(x, 0.75) == 5.0);  // h = 2.25: 4 + 0.25 * 4
  BOOST_TEST(quantile_sorted(x, -0.5) == 1.0);
  BOOST_TEST(quantile_sorted(x, 1.5) == 8.0);
  BOOST_TEST(median(std::vector<double>{8.0, 1.0, 4.0, 2.0}) == 3.0);
}

BOOST_AUTO_TEST_CASE(stddev_keeps_digits_of_large_close_values) {
  // 1e9 + {1, 2, 3}: sample variance 1 exactly; a one-pass sum of squares loses it.
  const std::vector<double> x = {1e9 + 1, 1e9 + 2, 1e9 + 3};
  BOOST_TEST(stddev(x) == 1.0, tt::tolerance(tol));
}

// Median CI of the sample 1..n, so the bounds are the 1-based ranks k and n - k + 1.
// Printed by stats_reference.py: k is the largest with P(k <= B <= n - k) >= confidence,
// B ~ Binomial(n, 1/2), coverage = scipy.stats.binom.cdf(n - k, n, .5) - binom.cdf(k - 1, n, .5)
// (scipy 1.10.1), checked against the exact sum of C(n, i) / 2^n in the comment. The 95% rows
// for n = 6..20 agree with the published tables of order-statistic intervals for the median
// (e.g. n = 10: x(2)..x(9), 97.9%).
struct ci_case {
  std::size_t n;
  double confidence;
  double low, high, coverage;
};
const std::vector<ci_case> ci_cases = {
    {1, 0.95, 1, 1, 0.0},                        // exact 0
    {2, 0.95, 1, 2, 0.5},                        // exact 1/2
    {3, 0.95, 1, 3, 0.75},                       // exact 3/4
    {4, 0.95, 1, 4, 0.875},                      // exact 7/8
    {5, 0.95, 1, 5, 0.9375},                     // exact 15/16: below 95%, [min, max]
    {6, 0.95, 1, 6, 0.96875},                    // exact 31/32
    {7, 0.95, 1, 7, 0.984375},                   // exact 63/64
    {8, 0.95, 1, 8, 0.9921875},                  // exact 127/128
    {9, 0.95, 2, 8, 0.9609375},                  // exact 123/128
    {10, 0.95, 2, 9, 0.978515625},               // exact 501/512
    {11, 0.95, 2, 10, 0.98828125},               // exact 253/256
    {20, 0.95, 6, 15, 0.9586105346679688},       // exact 125647/131072
    {30, 0.95, 10, 21, 0.9572260547429323},      // exact 513906825/536870912
    {100, 0.95, 40, 61, 0.9647997997822952},     // exact 0.9647997997822951
    {1000, 0.95, 469, 532, 0.9537088026395018},  // exact 0.9537088026395019
    {10, 0.90, 2, 9, 0.978515625},               // exact 501/512
    {10, 0.99, 1, 10, 0.998046875},              // exact 511/512
    {20, 0.90, 6, 15, 0.9586105346679688},       // exact 125647/131072
    {20, 0.99, 4, 17, 0.9974231719970703},       // exact 522937/524288
    {100, 0.99, 37, 64, 0.9933628794840739},     // exact 0.9933628794840739
};

BOOST_AUTO_TEST_CASE(median_ci_matches_scipy_binomial) {
  for (const ci_case& c : ci_cases) {
    BOOST_TEST_CONTEXT("n = " << c.n << ", confidence " << c.confidence) {
      const interval ci = median_ci(one_to(c.n), c.confidence);
      BOOST_TEST(ci.low == c.low);
      BOOST_TEST(ci.high == c.high);
      if (c.coverage == 0) {
        BOOST_TEST(ci.confidence == 0.0);
      } else {
        BOOST_TEST(ci.confidence == c.coverage, tt::tolerance(tol));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(median_ci_with_ties_uses_order_statistics) {
  const std::vector<double> x = {1, 2, 2, 2, 2, 2, 2, 2, 2, 9};  // n = 10: x(2)..x(9)
  const interval ci = median_ci(x);
  BOOST_TEST(ci.low == 2.0);
  BOOST_TEST(ci.high == 2.0);
  BOOST_TEST(ci.confidence == 0.978515625, tt::tolerance(tol));
}

BOOST_AUTO_TEST_CASE(modified_z_worked_example) {
  // By hand: median 3; |x - 3| = {2, 1, 0, 1, 97}, so MAD = 1 and
  // M(100) = 0.6745 * 97 / 1 = 65.4265, M(1) = -1.349: only index 4 is beyond 3.5.
  const std::vector<double> x = {1, 2, 3, 4, 100};
  BOOST_TEST(modified_z_score(x, 100) == 65.4265, tt::tolerance(tol));
  BOOST_TEST(modified_z_score(x, 1) == -1.349, tt::tolerance(tol));
  BOOST_TEST(outliers_modified_z(x) == std::vector<std::size_t>{4}, tt::per_element());
  // The cutoff is strict and adjustable: 65.4265 > 65 but not > 66.
  BOOST_TEST(outliers_modified_z(x, 65.0) == std::vector<std::size_t>{4}, tt::per_element());
  BOOST_TEST(outliers_modified_z(x, 66.0).empty());
}

BOOST_AUTO_TEST_CASE(modified_z_of_outside_value_matches_reference) {
  // stats_reference.py, "modified z-score of an outside value x against sample wall_ns".
  BOOST_TEST(modified_z_score(wall_sample, 1900000.0) == 80.009990099901, tt::tolerance(tol));
  BOOST_TEST(modified_z_score(wall_sample, 1300000.0) == 7.163261632616326, tt::tolerance(tol));
  BOOST_TEST(modified_z_score(wall_sample, 1240000.0) == -0.12141121411214112, tt::tolerance(tol));
}

BOOST_AUTO_TEST_CASE(mean_absolute_deviation_stands_in_when_mad_is_zero) {
  // stats_reference.py, "MeanAD fallback": M = (x - median) / (1.253314 * MeanAD).
  // {5 x6, 9}: MeanAD = 4/7, M(9) = 5.585192537544462 > 3.5.
  const std::vector<double> a = {5, 5, 5, 5, 5, 5, 9};
  BOOST_TEST(mad(a) == 0.0);
  BOOST_TEST(modified_z_score(a, 9) == 5.585192537544462, tt::tolerance(tol));
  BOOST_TEST(outliers_modified_z(a) == std::vector<std::size_t>{6}, tt::per_element());
  // {5, 5, 5, 6}: MeanAD = 1/4, M(6) = 3.1915385928825497 <= 3.5.
  const std::vector<double> b = {5, 5, 5, 6};
  BOOST_TEST(modified_z_score(b, 6) == 3.1915385928825497, tt::tolerance(tol));
  BOOST_TEST(outliers_modified_z(b).empty());
}

BOOST_AUTO_TEST_CASE(robust_cv_uses_the_magnitude_of_the_median) {
  // Sample "seven" has median 2.25 and MAD 2.5; negated, the CV stays 1.4826 * 2.5 / 2.25.
  std::vector<double> negated;
  for (double v : seven) negated.push_back(-v);
  BOOST_TEST(robust_cv(negated) == 1.647333333333333, tt::tolerance(tol));
  BOOST_TEST(robust_cv(std::vector<double>{-1, 0, 1}) == 0.0);  // median 0
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(diagnostics)

// A quiet 20 ms sample: robust CV 1.4826 * 0.1 / 20 = 0.74%.
const std::vector<double> quiet = {19.9e6, 20.0e6, 20.1e6, 20.0e6, 19.9e6, 20.1e6};

BOOST_AUTO_TEST_CASE(quiet_long_runs_give_no_warning) {
  BOOST_TEST(wall_time_warnings(quiet, 20.2e6, true, 0.5e6).empty());
  BOOST_TEST(wall_time_warnings(quiet, 20.0e6, false, 0.5e6).empty());
}

BOOST_AUTO_TEST_CASE(empty_sample_gives_no_warning) {
  BOOST_TEST(wall_time_warnings({}, 50e6, true, 0.5e6).empty());
}

BOOST_AUTO_TEST_CASE(unstable_wall_time) {
  // Median 100 ms, MAD 10 ms: robust CV = 1.4826 * 10 / 100 = 14.826%.
  const std::vector<double> x = {80e6, 90e6, 100e6, 110e6, 120e6};
  const auto w = wall_time_warnings(x, 100e6, true, 0.5e6);
  BOOST_TEST_REQUIRE(w.size() == 1u);
  BOOST_TEST(w[0] ==
             "wall time is unstable: robust CV 14.8% (over 5%); close other programs, pin the "
             "CPU, or measure more runs (--runs)");
  // The limit is the caller's: 20% lets the same sample pass, 12.5% is quoted as given.
  BOOST_TEST(wall_time_warnings(x, 100e6, true, 0.5e6, {.max_robust_cv = 0.2}).empty());
  const auto strict = wall_time_warnings(x, 100e6, true, 0.5e6, {.max_robust_cv = 0.125});
  BOOST_TEST_REQUIRE(strict.size() == 1u);
  BOOST_TEST(strict[0].find("(over 12.5%)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(short_run_dominated_by_launch_overhead) {
  const std::vector<double> x = {0.41e6, 0.42e6, 0.43e6, 0.42e6};
  const auto w = wall_time_warnings(x, 0.42e6, true, 0.35e6);
  BOOST_TEST_REQUIRE(w.size() == 1u);
  BOOST_TEST(w[0] == "median run is " + format_duration(0.42e6) + ", shorter than " +
                         format_duration(1e6) + ": launch overhead (" + format_duration(0.35e6) +
                         ") dominates; make the command do more work per run");
}

BOOST_AUTO_TEST_CASE(short_run_with_small_or_unknown_overhead) {
  const std::vector<double> x = {0.81e6, 0.82e6, 0.83e6, 0.82e6};
  const auto small = wall_time_warnings(x, 0.82e6, true, 0.05e6);
  BOOST_TEST_REQUIRE(small.size() == 1u);
  BOOST_TEST(small[0] == "median run is " + format_duration(0.82e6) + ", shorter than " +
                             format_duration(1e6) + ": launch overhead (" +
                             format_duration(0.05e6) +
                             ") and scheduling noise weigh heavily; make the command do more "
                             "work per run");
  const auto unknown = wall_time_warnings(x, 0.82e6, true, 0);
  BOOST_TEST_REQUIRE(unknown.size() == 1u);
  BOOST_TEST(unknown[0] == "median run is " + format_duration(0.82e6) + ", shorter than " +
                               format_duration(1e6) +
                               ": launch overhead and scheduling noise weigh heavily; make the "
                               "command do more work per run");
  // A lower limit silences it.
  BOOST_TEST(wall_time_warnings(x, 0.82e6, true, 0.05e6, {.min_median_ns = 0.5e6}).empty());
}

BOOST_AUTO_TEST_CASE(cold_first_run_that_was_a_warmup) {
  const std::vector<double> x = {14.4e6, 14.5e6, 14.6e6};
  const auto w = wall_time_warnings(x, 45e6, true, 0.5e6);
  BOOST_TEST_REQUIRE(w.size() == 1u);
  // 45 / 14.5 = 3.10
  BOOST_TEST(w[0] == "the first run (warm-up) took " + format_duration(45e6) +
                         ", 3.1\u00d7 the median: probably a cold cache; it was not measured");
}

BOOST_AUTO_TEST_CASE(cold_first_run_that_was_measured) {
  const std::vector<double> x = {45e6, 14.4e6, 14.5e6, 14.6e6, 14.5e6};
  const auto w = wall_time_warnings(x, 45e6, false, 0.5e6);
  BOOST_TEST_REQUIRE(w.size() == 1u);
  BOOST_TEST(w[0] == "the first run took " + format_duration(45e6) +
                         ", 3.1\u00d7 the median: probably a cold cache; add warm-up runs "
                         "(--warmup)");
}

BOOST_AUTO_TEST_CASE(slow_first_run_within_the_noise_is_not_cold) {
  // Ratio 50 / 30 = 1.67 passes 1.5, but M = 0.6745 * 20 / 10 = 1.35 stays under 3.5.
  const std::vector<double> noisy = {10e6, 20e6, 30e6, 40e6, 50e6};
  for (const std::string& w : wall_time_warnings(noisy, 50e6, true, 0.5e6)) {
    BOOST_TEST(!starts_with(w, "the first run"), w);
  }
  // A tight sample makes 12 ms an outlier, but 1.2x the median is not worth a warning.
  const std::vector<double> tight = {10.00e6, 10.01e6, 10.02e6};
  BOOST_TEST(wall_time_warnings(tight, 12e6, true, 0.5e6).empty());
  // Unknown first run (0) and a zero median (over-corrected overhead) give no cold warning.
  BOOST_TEST(wall_time_warnings(quiet, 0, true, 0.5e6).empty());
  const auto zero = wall_time_warnings(std::vector<double>{0, 0, 0}, 5e6, true, 0);
  for (const std::string& w : zero) BOOST_TEST(!starts_with(w, "the first run"), w);
}

BOOST_AUTO_TEST_CASE(warnings_come_in_a_fixed_order) {
  // Unstable, short, and cold at once: the order is always the same.
  const std::vector<double> x = {0.3e6, 0.35e6, 0.4e6, 0.45e6, 0.5e6};  // robust CV 18.5%
  const auto w = wall_time_warnings(x, 9e6, true, 0.35e6);
  BOOST_TEST_REQUIRE(w.size() == 3u);
  BOOST_TEST(starts_with(w[0], "wall time is unstable"));
  BOOST_TEST(starts_with(w[1], "median run is"));
  BOOST_TEST(starts_with(w[2], "the first run (warm-up)"));
}

BOOST_AUTO_TEST_SUITE_END()
