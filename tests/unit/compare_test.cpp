// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Two-sample comparison against scipy 1.10.1 / numpy 1.24.2, R 4.2.2, published examples and
// hand-worked ones.
#define BOOST_TEST_MODULE compare
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/stats/compare.hpp"

namespace tt = boost::test_tools;
using namespace perfcheck::stats;

namespace {

// Relative tolerance for values from numpy/scipy/R: a few ulps of operation-order difference.
constexpr double tol = 1e-12;

// The samples of tests/unit/reference/compare_reference.py (SAMPLES) and compare_reference.R;
// keep the three in step.
// Hollander & Wolfe (1973), p. 69, as in R's ?wilcox.test: permeability constants of the
// human chorioamnion at term (x) and at 12 to 26 weeks of gestation (y).
const std::vector<double> hw_x = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
const std::vector<double> hw_y = {1.15, 0.88, 0.90, 0.74, 1.21};
const std::vector<double> small_b = {1.1, 2.3, 3.0, 4.8, 5.2};
const std::vector<double> small_c = {2.9, 6.1, 7.4, 8.0, 9.3};
const std::vector<double> uneq_b = {10.5, 12.25, 9.75, 11.0};
const std::vector<double> uneq_c = {11.5, 13.0, 12.75, 14.5, 10.25, 13.5, 12.5};
const std::vector<double> eight = {5.01, 5.33, 4.87, 5.12, 5.25, 4.95, 5.41, 5.08};
const std::vector<double> twenty = {5.22, 5.35, 5.47, 5.18, 5.29, 5.51, 5.38, 5.44, 5.05, 5.31,
                                    5.56, 5.27, 5.42, 5.36, 5.19, 5.49, 5.24, 5.58, 5.34, 5.40};
const std::vector<double> nine_b = {20.1, 19.4, 21.3, 20.8, 19.9, 20.5, 21.0, 19.7, 20.3};
const std::vector<double> nine_c = {20.9, 21.6, 20.2, 21.9, 22.4, 21.2, 20.6, 22.0, 21.4};
const std::vector<double> tied_b = {3.0, 3.0, 4.0, 5.0, 5.0, 6.0};
const std::vector<double> tied_c = {4.0, 5.0, 6.0, 6.0, 7.0};
// 30 and 40 timings rounded to 0.1 ms: many ties.
const std::vector<double> rounded_b = {11.1, 12.1, 11.5, 12.4, 11.4, 11.3, 12.0, 12.4, 11.7, 13.2,
                                       13.0, 12.1, 11.7, 12.4, 13.1, 12.5, 11.6, 12.9, 12.5, 12.0,
                                       11.4, 11.6, 11.7, 13.3, 10.7, 11.7, 12.5, 12.2, 13.3, 11.8};
const std::vector<double> rounded_c = {12.3, 13.0, 12.6, 11.6, 12.3, 12.0, 13.0, 13.2, 13.0, 11.6,
                                       13.3, 12.0, 12.3, 12.7, 11.9, 13.2, 11.1, 12.9, 12.9, 12.6,
                                       11.5, 11.9, 12.9, 13.6, 11.4, 12.5, 12.0, 11.7, 12.9, 11.9,
                                       11.9, 12.2, 11.6, 11.9, 12.0, 12.5, 12.4, 11.5, 12.7, 12.9};
// 60 and 55 without ties: the interval takes the normal approximation.
const std::vector<double> large_b = {
    1052.646, 966.16,   1012.075, 948.45,   1016.819, 1006.874, 1047.021, 931.851,  1090.238,
    1028.389, 978.518,  999.877,  1026.799, 1015.369, 974.341,  986.506,  1005.649, 999.614,
    1007.953, 966.888,  965.368,  990.067,  1043.262, 982.259,  966.41,   962.818,  957.841,
    1047.409, 1009.169, 957.621,  1017.545, 1027.014, 1008.337, 1014.818, 999.517,  970.99,
    970.058,  963.335,  1037.625, 998.318,  1027.854, 1007.605, 969.415,  949.771,  950.148,
    1019.657, 1049.0,   1007.594, 994.992,  975.404,  1010.79,  1048.973, 978.356,  986.185,
    965.28,   963.929,  1009.497, 973.704,  973.921,  988.434};
const std::vector<double> large_c = {
    1045.217, 1014.547, 1003.908, 1040.698, 1026.718, 1008.046, 963.041,  1049.841,
    1029.687, 995.901,  1023.039, 1046.19,  1001.356, 1037.258, 976.993,  1055.764,
    1032.517, 1037.368, 980.458,  990.538,  1025.466, 1031.19,  1034.301, 1041.309,
    968.105,  1027.622, 988.886,  977.246,  1055.317, 1063.572, 1021.409, 1002.056,
    1009.058, 1023.701, 1041.558, 1003.885, 1056.073, 1054.232, 1021.29,  1043.019,
    1061.232, 1007.783, 991.282,  970.322,  1064.006, 1037.696, 1001.5,   1015.248,
    987.508,  1053.736, 1018.652, 961.465,  1018.175, 1052.265, 1037.102};
const std::vector<double> equal_b = {7.0, 7.0, 7.0};
const std::vector<double> equal_c = {7.0, 7.0, 7.0, 7.0};

bool message_is(const std::exception& e, const std::string& expected) {
  BOOST_TEST(std::string(e.what()) == expected);
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mann_whitney)

struct mw_case {
  std::string name;
  const std::vector<double>* baseline;
  const std::vector<double>* candidate;
  mann_whitney_method method;
  double u, p;
  bool exact;
};

BOOST_AUTO_TEST_CASE(matches_scipy_mannwhitneyu) {
  using m = mann_whitney_method;
  // Printed by tests/unit/reference/compare_reference.py: scipy.stats.mannwhitneyu(baseline,
  // candidate, use_continuity=True, alternative='two-sided', method=...), scipy 1.10.1
  // -> U (of the baseline), p. 'exact' below is whether scipy's 'auto' picks the exact
  // distribution (_mwu_choose_method: one size <= 8 and no ties). R 4.2.2
  // (compare_reference.R, wilcox.test(candidate, baseline)) gives the same p for hw, small,
  // uneq and eight/twenty, with W = n1 n2 - U.
  // clang-format off
  const std::vector<mw_case> cases = {
      {"hw, Hollander & Wolfe", &hw_y, &hw_x, m::automatic, 15.0, 0.2544122544122544, true},
      {"hw swapped", &hw_x, &hw_y, m::automatic, 35.0, 0.2544122544122544, true},
      {"small 5/5", &small_b, &small_c, m::automatic, 3.0, 0.05555555555555555, true},
      {"small 5/5 asymptotic", &small_b, &small_c, m::asymptotic, 3.0, 0.06010280593886631, false},
      {"unequal 4/7", &uneq_b, &uneq_c, m::automatic, 4.0, 0.07272727272727272, true},
      {"8/20, auto still exact", &eight, &twenty, m::automatic, 28.0, 0.006782267651832869, true},
      {"8/20 asymptotic", &eight, &twenty, m::asymptotic, 28.0, 0.008818270418073848, false},
      {"9/9, auto asymptotic", &nine_b, &nine_c, m::automatic, 11.0, 0.010444271101370226, false},
      {"9/9 exact", &nine_b, &nine_c, m::exact, 11.0, 0.007774578362813657, true},
      {"ties 6/5, auto asymptotic", &tied_b, &tied_c, m::automatic, 6.5, 0.13492355198692385, false},
      {"ties 6/5 exact (U rounded down)", &tied_b, &tied_c, m::exact, 6.5, 0.17748917748917747, true},
      {"rounded 30/40, many ties", &rounded_b, &rounded_c, m::automatic, 486.5, 0.17915645280618486, false},
      {"large 60/55", &large_b, &large_c, m::automatic, 931.0, 5.75035664183186e-05, false},
      {"all equal", &equal_b, &equal_c, m::automatic, 6.0, 1.0, false},
  };
  // clang-format on
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const mann_whitney_result r = mann_whitney_u(*c.baseline, *c.candidate, c.method);
      BOOST_TEST(r.u == c.u);
      BOOST_TEST(r.p_value == c.p, tt::tolerance(tol));
      BOOST_TEST(r.exact == c.exact);
    }
  }
}

BOOST_AUTO_TEST_CASE(exact_distribution_matches_scipy) {
  // compare_reference.py: scipy.stats._mannwhitneyu._mwu_state.cdf(k, n1, n2) (scipy 1.10.1,
  // the recursion of its reference [3], Theorem 2.5) -> P(U <= k).
  struct row {
    std::size_t n1, n2, k;
    double p;
  };
  const std::vector<row> rows = {
      {1, 1, 0, 0.5},
      {3, 4, 2, 0.11428571428571428},
      {5, 5, 0, 0.003968253968253968},
      {5, 5, 7, 0.15476190476190477},
      {5, 5, 12, 0.5},
      {5, 5, 20, 0.9523809523809522},
      {8, 20, 31, 0.005685457859370902},
      {8, 20, 80, 0.5099306490610839},
      {10, 10, 16, 0.004465348892593475},
      {10, 10, 17, 0.0057481218471930546},
      {20, 25, 150, 0.010987334179044635},
      {30, 30, 300, 0.01316598015128969},
      {40, 45, 600, 0.003948489782099563},
      {3, 300, 200, 0.05099017525347174},
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT("n1 " << r.n1 << ", n2 " << r.n2 << ", k " << r.k) {
      BOOST_TEST(detail::mann_whitney_cdf(r.n1, r.n2, r.k) == r.p, tt::tolerance(tol));
      BOOST_TEST(detail::mann_whitney_cdf(r.n2, r.n1, r.k) == r.p, tt::tolerance(tol));
    }
  }
  BOOST_TEST(detail::mann_whitney_cdf(5, 5, 25) == 1.0);
  BOOST_TEST(detail::mann_whitney_cdf(5, 5, 1000) == 1.0);
}

BOOST_AUTO_TEST_CASE(hand_example_without_overlap) {
  // 1 2 3 vs 4 5 6: U of the baseline 0; one arrangement in C(6, 3) = 20 on each side: p 0.1.
  const mann_whitney_result r =
      mann_whitney_u(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6});
  BOOST_TEST(r.u == 0.0);
  BOOST_TEST(r.p_value == 0.1, tt::tolerance(tol));
  BOOST_TEST(r.exact);
}

BOOST_AUTO_TEST_CASE(empty_samples) {
  const std::vector<double> none;
  for (const auto& r : {mann_whitney_u(none, small_c), mann_whitney_u(small_b, none),
                        mann_whitney_u(none, none, mann_whitney_method::exact)}) {
    BOOST_TEST(r.u == 0.0);
    BOOST_TEST(r.p_value == 1.0);
    BOOST_TEST(!r.exact);
  }
}

BOOST_AUTO_TEST_CASE(exact_distribution_is_capped) {
  // 2000 x 2000 cells exceed the exact count's limit: asked for, it throws; automatic (which
  // would not pick it anyway at this size) stays asymptotic.
  std::vector<double> a, b;
  for (int i = 0; i < 2000; ++i) {
    a.push_back(i);
    b.push_back(i + 0.5);
  }
  BOOST_CHECK_EXCEPTION(
      mann_whitney_u(a, b, mann_whitney_method::exact), std::invalid_argument, [](const auto& e) {
        return message_is(e,
                          "mann_whitney_u: the exact distribution is limited to n1 n2 <= "
                          "2000000 and min(n1, n2) n1 n2 <= 25000000; use the asymptotic "
                          "method");
      });
  BOOST_CHECK_THROW(detail::mann_whitney_cdf(2000, 2000, 10), std::invalid_argument);
  // 8 values against 300000: 'auto' would be exact by size, but the count is over the limit.
  std::vector<double> many;
  for (int i = 0; i < 300000; ++i) many.push_back(1000.5 + i);
  const mann_whitney_result r = mann_whitney_u(eight, many);
  BOOST_TEST(!r.exact);
  BOOST_TEST(r.u == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(smallest_p)

BOOST_AUTO_TEST_CASE(min_attainable_p_matches_the_binomial_count) {
  // compare_reference.py: min(1, 2 / math.comb(n1 + n2, n1)).
  struct row {
    std::size_t n1, n2;
    double p;
  };
  const std::vector<row> rows = {
      {1, 1, 1.0},
      {2, 2, 0.3333333333333333},
      {3, 3, 0.1},
      {4, 4, 0.02857142857142857},
      {5, 5, 0.007936507936507936},
      {6, 6, 0.0021645021645021645},
      {3, 5, 0.03571428571428571},
      {10, 10, 1.082508822446903e-05},
      {20, 30, 4.243652513534886e-14},
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.n1 << " and " << r.n2) {
      BOOST_TEST(min_attainable_p(r.n1, r.n2) == r.p, tt::tolerance(tol));
      BOOST_TEST(min_attainable_p(r.n2, r.n1) == r.p, tt::tolerance(tol));
    }
  }
  BOOST_TEST(min_attainable_p(0, 5) == 1.0);
  BOOST_TEST(min_attainable_p(5, 0) == 1.0);
  // Far beyond a double's binomial coefficient: a tiny positive number or 0, never a throw.
  BOOST_TEST(min_attainable_p(1000, 1000) >= 0.0);
  BOOST_TEST(min_attainable_p(1000, 1000) < 1e-290);
  // The exact test reaches it: 5 vs 5 without overlap.
  BOOST_TEST(mann_whitney_u(small_b, std::vector<double>{6, 7, 8, 9, 10}).p_value ==
                 min_attainable_p(5, 5),
             tt::tolerance(tol));
}

BOOST_AUTO_TEST_CASE(min_sample_size_by_alpha) {
  // compare_reference.py: the smallest n with 2 / C(2n, n) < alpha. By hand for 0.01:
  // C(8, 4) = 70 gives 0.0286, C(10, 5) = 252 gives 0.0079, so n = 5.
  BOOST_TEST(min_sample_size(0.1) == 4u);
  BOOST_TEST(min_sample_size(0.05) == 4u);
  BOOST_TEST(min_sample_size(0.01) == 5u);
  BOOST_TEST(min_sample_size(0.001) == 7u);
  BOOST_TEST(min_sample_size(1e-6) == 12u);
  // p < alpha is strict: at alpha = 2/70 exactly, 4 runs only reach p = alpha.
  BOOST_TEST(min_sample_size(2.0 / 70.0) == 5u);
  BOOST_CHECK_EXCEPTION(min_sample_size(0.0), std::invalid_argument, [](const auto& e) {
    return message_is(e, "min_sample_size: alpha must be between 0 and 1 (exclusive)");
  });
  BOOST_CHECK_THROW(min_sample_size(1.0), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(shift)

struct shift_case {
  std::string name;
  const std::vector<double>* baseline;
  const std::vector<double>* candidate;
  double confidence;
  double estimate, low, high, coverage;
};

void check(const shift_estimate& s, const shift_case& c) {
  BOOST_TEST(s.estimate == c.estimate, tt::tolerance(tol));
  BOOST_TEST(s.low == c.low, tt::tolerance(tol));
  BOOST_TEST(s.high == c.high, tt::tolerance(tol));
  BOOST_TEST(s.confidence == c.coverage, tt::tolerance(tol));
}

BOOST_AUTO_TEST_CASE(hodges_lehmann_matches_numpy_scipy_and_r) {
  // compare_reference.py: numpy.median and order statistics D_(C), D_(mn+1-C) of the sorted
  // differences candidate_j - baseline_i, C the largest rank with P(U <= C-1) <= (1-conf)/2 from
  // scipy's exact distribution (both sizes < 50) or scipy.stats.norm (large), coverage
  // 1 - 2 P(U <= C-1) -> {estimate, low, high, coverage}.
  // R 4.2.2 (compare_reference.R, wilcox.test(candidate, baseline, conf.int = TRUE)) prints the
  // same estimate and interval for the untied exact cases (hw, small, uneq, eight/twenty). For
  // Hollander & Wolfe's data that is 0.305 with the 96.0% interval [-0.15, 0.76].
  // clang-format off
  const std::vector<shift_case> cases = {
      {"hw", &hw_y, &hw_x, 0.95,
       0.30500000000000005, -0.15000000000000002, 0.7599999999999999, 0.9600399600399601},
      {"hw", &hw_y, &hw_x, 0.99,
       0.30500000000000005, -0.34999999999999987, 1.0099999999999998, 0.9920079920079921},
      {"small", &small_b, &small_c, 0.99,
       3.8, -2.3000000000000003, 8.200000000000001, 0.9920634920634921},
      {"small", &small_b, &small_c, 0.90,
       3.8, 0.8999999999999995, 6.300000000000001, 0.9047619047619048},
      {"unequal 4/7", &uneq_b, &uneq_c, 0.95, 1.875, -0.25, 3.5, 0.9575757575757575},
      {"8/20", &eight, &twenty, 0.99,
       0.22999999999999998, 0.019999999999999574, 0.4300000000000006, 0.9903825642956078},
      {"ties 6/5", &tied_b, &tied_c, 0.95, 1.0, -1.0, 3.0, 0.9696969696969697},
      {"rounded 30/40", &rounded_b, &rounded_c, 0.99,
       0.20000000000000107, -0.1999999999999993, 0.6999999999999993, 0.9900841981501749},
      {"large 60/55, normal", &large_b, &large_c, 0.99,
       25.95049999999992, 10.077000000000112, 41.25299999999993, 0.9900713683704494},
      {"large 60/55, normal", &large_b, &large_c, 0.95,
       25.95049999999992, 13.695999999999913, 37.52500000000009, 0.950286772012465},
  };
  // clang-format on
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name << " at " << c.confidence) {
      check(hodges_lehmann(*c.baseline, *c.candidate, c.confidence), c);
    }
  }
}

BOOST_AUTO_TEST_CASE(relative_change_matches_numpy_and_r) {
  // compare_reference.py: numpy.expm1 of the Hodges-Lehmann shift of numpy.log values (same
  // ranks as above). R 4.2.2 gives 0.045811230179821236 [0.0037523452157598794,
  // 0.086242299794661054] for 8/20 (its logs differ in the last digit).
  // clang-format off
  const std::vector<shift_case> cases = {
      {"hw", &hw_y, &hw_x, 0.95,
       0.3117671370783736, -0.140495867768595, 0.9594594594594595, 0.9600399600399601},
      {"hw", &hw_y, &hw_x, 0.99,
       0.3117671370783736, -0.30434782608695643, 1.1477272727272727, 0.9920079920079921},
      {"small", &small_b, &small_c, 0.99,
       1.0333333333333334, -0.44230769230769235, 7.454545454545456, 0.9920634920634921},
      {"small", &small_b, &small_c, 0.90,
       1.0333333333333334, 0.26086956521739135, 3.0434782608695667, 0.9047619047619048},
      {"unequal 4/7", &uneq_b, &uneq_c, 0.95,
       0.1806521053804944, -0.02380952380952377, 0.33333333333333376, 0.9575757575757575},
      {"8/20", &eight, &twenty, 0.99,
       0.045811230179821236, 0.003752345215759657, 0.08624229979466129, 0.9903825642956078},
      {"rounded 30/40", &rounded_b, &rounded_c, 0.99,
       0.017543859649122896, -0.016129032258064523, 0.05737704918032795, 0.9900841981501749},
      {"large 60/55, normal", &large_b, &large_c, 0.99,
       0.026052041224841473, 0.009852106856217966, 0.04191721954535802, 0.9900713683704494},
      {"large 60/55, normal", &large_b, &large_c, 0.95,
       0.026052041224841473, 0.013781395621761228, 0.037823652309234214, 0.950286772012465},
  };
  // clang-format on
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name << " at " << c.confidence) {
      check(relative_change(*c.baseline, *c.candidate, c.confidence), c);
    }
  }
}

BOOST_AUTO_TEST_CASE(hand_examples) {
  // 1 2 3 vs 4 5 6: differences 1 2 2 3 3 3 4 4 5, median 3. P(U <= 0) = 1/20, P(U <= 1) = 2/20:
  // at 85% (tail 0.075) C = 1, so [1, 5] with coverage 1 - 2/20 = 0.9.
  shift_estimate s =
      hodges_lehmann(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}, 0.85);
  BOOST_TEST(s.estimate == 3.0);
  BOOST_TEST(s.low == 1.0);
  BOOST_TEST(s.high == 5.0);
  BOOST_TEST(s.confidence == 0.9, tt::tolerance(tol));
  // 4 vs 4 at 99%: even [min, max] covers only 1 - 2/70 = 0.9714, which is reported.
  s = hodges_lehmann(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 6, 7, 8}, 0.99);
  BOOST_TEST(s.estimate == 4.0);
  BOOST_TEST(s.low == 1.0);
  BOOST_TEST(s.high == 7.0);
  BOOST_TEST(s.confidence == 1 - 2.0 / 70, tt::tolerance(tol));
  // A pure 25% slowdown: candidate = 1.25 * baseline, the log differences are symmetric about
  // log 1.25, so the change is +25%.
  const std::vector<double> base = {4, 8, 16, 2, 32};
  std::vector<double> slower;
  for (double v : base) slower.push_back(1.25 * v);
  s = relative_change(base, slower, 0.9);
  BOOST_TEST(s.estimate == 0.25, tt::tolerance(tol));
  BOOST_TEST(s.low < 0.25);
  BOOST_TEST(s.high > 0.25);
  // The same runs in another unit (ms instead of s) give the same relative change.
  std::vector<double> base_ms, slower_ms;
  for (double v : base) base_ms.push_back(v * 1000);
  for (double v : slower) slower_ms.push_back(v * 1000);
  const shift_estimate ms = relative_change(base_ms, slower_ms, 0.9);
  BOOST_TEST(ms.estimate == s.estimate, tt::tolerance(tol));
  BOOST_TEST(ms.low == s.low, tt::tolerance(tol));
  BOOST_TEST(ms.high == s.high, tt::tolerance(tol));
}

BOOST_AUTO_TEST_CASE(degenerate_inputs) {
  const std::vector<double> none;
  for (const auto& s : {hodges_lehmann(none, small_c), hodges_lehmann(small_b, none),
                        relative_change(none, none)}) {
    BOOST_TEST(s.estimate == 0.0);
    BOOST_TEST(s.low == 0.0);
    BOOST_TEST(s.high == 0.0);
    BOOST_TEST(s.confidence == 0.0);
  }
  // One value each: one difference, coverage 1 - 2/2 = 0.
  shift_estimate s = hodges_lehmann(std::vector<double>{2.0}, std::vector<double>{3.5});
  BOOST_TEST(s.estimate == 1.5);
  BOOST_TEST(s.low == 1.5);
  BOOST_TEST(s.high == 1.5);
  BOOST_TEST(s.confidence == 0.0);
  // All values equal: every difference is 0.
  s = hodges_lehmann(equal_b, equal_c);
  BOOST_TEST(s.estimate == 0.0);
  BOOST_TEST(s.low == 0.0);
  BOOST_TEST(s.high == 0.0);
  s = relative_change(equal_b, equal_c);
  BOOST_TEST(s.estimate == 0.0);
  BOOST_TEST(s.low == 0.0);
  BOOST_TEST(s.high == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw) {
  BOOST_CHECK_EXCEPTION(
      relative_change(std::vector<double>{1.0, 0.0}, small_c), std::invalid_argument,
      [](const auto& e) { return message_is(e, "relative_change: values must be positive"); });
  BOOST_CHECK_THROW(relative_change(small_b, std::vector<double>{-1.0}), std::invalid_argument);
  BOOST_CHECK_EXCEPTION(
      hodges_lehmann(small_b, small_c, 1.0), std::invalid_argument, [](const auto& e) {
        return message_is(e, "hodges_lehmann: confidence must be between 0 and 1 (exclusive)");
      });
  BOOST_CHECK_THROW(relative_change(small_b, small_c, 0.0), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(holm)

BOOST_AUTO_TEST_CASE(matches_the_written_out_rule_and_r) {
  // compare_reference.py (Holm written out; statsmodels is not available here) and R 4.2.2
  // p.adjust(p, method = "holm") agree on every value.
  // By hand for the first: ascending 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03,
  // 0.06, 0.04; running maximum 0.02, 0.03, 0.06, 0.06; back in input order.
  struct row {
    std::vector<double> p, adjusted;
  };
  const std::vector<row> rows = {
      {{0.01, 0.04, 0.03, 0.005}, {0.03, 0.06, 0.06, 0.02}},
      {{0.2, 0.001, 0.03, 0.03, 0.9, 0.012}, {0.4, 0.006, 0.12, 0.12, 0.9, 0.06}},
      {{0.5}, {0.5}},
      {{0.3, 0.3, 0.6}, {0.8999999999999999, 0.8999999999999999, 0.8999999999999999}},
  };
  for (const auto& r : rows) {
    const std::vector<double> adjusted = holm_adjust(r.p);
    BOOST_TEST(adjusted == r.adjusted, tt::tolerance(tol) << tt::per_element());
  }
  // Capped at 1.
  const std::vector<double> capped = holm_adjust(std::vector<double>{0.6, 0.7});
  BOOST_TEST(capped[0] == 1.0);
  BOOST_TEST(capped[1] == 1.0);
  BOOST_TEST(holm_adjust(std::vector<double>{}).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wilson)

BOOST_AUTO_TEST_CASE(matches_the_formula_r_and_newcombe) {
  // compare_reference.py (statsmodels' proportion_confint(method='wilson') formula with
  // scipy.stats.norm.isf) and R 4.2.2 prop.test(x, n, correct = FALSE)$conf.int. The first
  // four are the examples of Newcombe (1998), Statistics in Medicine 17, 857-872, whose
  // score-method column reads 0.2553-0.3662, 0.0624-0.1605, 0-0.1611 and 0.0061-0.1718.
  struct row {
    std::size_t x, n;
    double confidence, low, high;
  };
  const std::vector<row> rows = {
      {81, 263, 0.95, 0.2552885198782742, 0.36620957698280004},
      {15, 148, 0.95, 0.0623863995307363, 0.16048724172330803},
      {0, 20, 0.95, 0.0, 0.16112515805281938},
      {1, 29, 0.95, 0.006113214292762653, 0.17175521879320288},
      {29, 29, 0.95, 0.8830302015002593, 1.0},
      {7, 10, 0.99, 0.32002467920110245, 0.9204336834769341},
      {50, 1000, 0.90, 0.039828215496175066, 0.06260020341960941},
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.x << " of " << r.n << " at " << r.confidence) {
      const interval i = wilson_interval(r.x, r.n, r.confidence);
      BOOST_TEST(i.low == r.low, tt::tolerance(tol));
      BOOST_TEST(i.high == r.high, tt::tolerance(tol));
      BOOST_TEST(i.confidence == r.confidence);
    }
  }
}

BOOST_AUTO_TEST_CASE(edge_cases) {
  const interval none = wilson_interval(0, 0);
  BOOST_TEST(none.low == 0.0);
  BOOST_TEST(none.high == 1.0);
  BOOST_TEST(none.confidence == 1.0);
  BOOST_CHECK_EXCEPTION(wilson_interval(3, 2), std::invalid_argument, [](const auto& e) {
    return message_is(e, "wilson_interval: more successes than trials");
  });
  BOOST_CHECK_THROW(wilson_interval(1, 2, 1.0), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
