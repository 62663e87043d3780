// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Theil-Sen and Mann-Kendall against scipy 1.10.1, a written-out Mann-Kendall, and by hand.
#define BOOST_TEST_MODULE trend
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/stats/trend.hpp"

namespace tt = boost::test_tools;
using namespace perfcheck::stats;

namespace {

// Relative tolerance for values from numpy/scipy: a few ulps of summation-order difference.
constexpr double tol = 1e-12;

std::vector<double> zero_to(std::size_t n) {
  std::vector<double> x;
  for (std::size_t i = 0; i < n; ++i) x.push_back(static_cast<double>(i));
  return x;
}

// formula_series of trend_reference.py: 100 + 0.35 i + ((37 i) mod 11 - 5) / 4, same
// operations in the same order, so the doubles are identical.
std::vector<double> formula_series(std::size_t n) {
  std::vector<double> y;
  for (std::size_t i = 0; i < n; ++i) {
    const auto saw = static_cast<double>(static_cast<long>((i * 37) % 11) - 5);
    y.push_back(100 + 0.35 * static_cast<double>(i) + saw * 0.25);
  }
  return y;
}

// The series of trend_reference.py (SERIES); keep both in step.
// Medians of ten sessions, slowly rising, the last one much slower.
const std::vector<double> sessions = {12.1, 12.3, 12.2, 12.6, 12.5, 12.9, 13.4, 12.8, 13.1, 19.0};
const std::vector<double> ties_x = {1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 6.0, 6.0};
const std::vector<double> ties_y = {2.0, 2.5, 2.5, 3.5, 3.0, 4.5, 4.0, 6.0, 5.5, 6.5};
const std::vector<double> falling = {50.0, 49.0, 49.0, 47.5, 48.0, 46.0,
                                     46.0, 46.0, 44.0, 45.0, 43.0, 41.5};
const std::vector<double> flat = {5.0, 5.2, 4.9, 5.1, 5.0, 4.8, 5.2, 5.1, 4.9, 5.0};

bool message_is(const std::invalid_argument& e, const std::string& expected) {
  BOOST_TEST(std::string(e.what()) == expected);
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(theil_sen_line)

struct theil_case {
  std::string name;
  std::vector<double> x, y;
  double confidence;
  double slope, intercept, low, high;
};

BOOST_AUTO_TEST_CASE(matches_scipy_theilslopes) {
  // Printed by tests/unit/reference/trend_reference.py:
  // scipy.stats.theilslopes(y, x, alpha=confidence, method='separate'), scipy 1.10.1,
  // numpy 1.24.2 -> {slope, intercept, low_slope, high_slope}.
  // clang-format off
  const std::vector<theil_case> cases = {
      {"sessions", zero_to(10), sessions, 0.95,
       0.15000000000000036, 12.024999999999999, 0.10000000000000009, 0.40000000000000036},
      {"sessions", zero_to(10), sessions, 0.80,
       0.15000000000000036, 12.024999999999999, 0.11428571428571413, 0.29999999999999893},
      {"ties in x and y", ties_x, ties_y, 0.95, 0.75, 1.5, 0.5, 1.0},
      {"two points", {3.0, 5.0}, {10.0, 4.0}, 0.95, -3.0, 19.0, -3.0, -3.0},
      {"formula40", zero_to(40), formula_series(40), 0.95,
       0.35000000000000037, 99.74999999999999, 0.3187500000000014, 0.3794117647058825},
      {"formula40", zero_to(40), formula_series(40), 0.99,
       0.35000000000000037, 99.74999999999999, 0.31874999999999964, 0.3934782608695651},
      {"falling", zero_to(12), falling, 0.90,
       -0.7071428571428571, 49.88928571428571, -0.8, -0.5714285714285714},
  };
  // clang-format on
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name << " at " << c.confidence) {
      const theil_sen_fit fit = theil_sen(c.x, c.y, c.confidence);
      BOOST_TEST(fit.slope == c.slope, tt::tolerance(tol));
      BOOST_TEST(fit.intercept == c.intercept, tt::tolerance(tol));
      BOOST_TEST(fit.slope_low == c.low, tt::tolerance(tol));
      BOOST_TEST(fit.slope_high == c.high, tt::tolerance(tol));
      BOOST_TEST(fit.confidence == c.confidence);
    }
  }
}

BOOST_AUTO_TEST_CASE(one_slow_session_does_not_move_the_slope) {
  // The least-squares slope of `sessions` is pulled to 0.45 by the last value; the median of
  // the pairwise slopes stays at 0.15 (see matches_scipy_theilslopes).
  const theil_sen_fit fit = theil_sen(zero_to(10), sessions);
  BOOST_TEST(fit.slope < 0.2);
  BOOST_TEST(fit.slope_low <= fit.slope);
  BOOST_TEST(fit.slope <= fit.slope_high);
}

BOOST_AUTO_TEST_CASE(exact_line_by_hand) {
  // y = 2 - 0.5 x: every pairwise slope is -0.5, so the interval is [-0.5, -0.5].
  const std::vector<double> x = {0.0, 2.0, 4.0, 6.0, 8.0};
  const std::vector<double> y = {2.0, 1.0, 0.0, -1.0, -2.0};
  const theil_sen_fit fit = theil_sen(x, y);
  BOOST_TEST(fit.slope == -0.5);
  BOOST_TEST(fit.intercept == 2.0);
  BOOST_TEST(fit.slope_low == -0.5);
  BOOST_TEST(fit.slope_high == -0.5);
}

BOOST_AUTO_TEST_CASE(degenerate_inputs) {
  const std::vector<double> none;
  theil_sen_fit fit = theil_sen(none, none);
  BOOST_TEST(fit.slope == 0.0);
  BOOST_TEST(fit.intercept == 0.0);
  BOOST_TEST(fit.confidence == 0.0);

  const std::vector<double> one = {4.0};
  fit = theil_sen(one, std::vector<double>{7.0});
  BOOST_TEST(fit.slope == 0.0);
  BOOST_TEST(fit.intercept == 7.0);
  BOOST_TEST(fit.slope_low == 0.0);
  BOOST_TEST(fit.slope_high == 0.0);
  BOOST_TEST(fit.confidence == 0.0);

  // All x equal: no pair has a slope.
  fit = theil_sen(std::vector<double>{2.0, 2.0, 2.0}, std::vector<double>{1.0, 5.0, 3.0});
  BOOST_TEST(fit.slope == 0.0);
  BOOST_TEST(fit.intercept == 3.0);
  BOOST_TEST(fit.confidence == 0.0);

  // All y equal: slope 0 with the interval [0, 0] at the confidence asked.
  fit = theil_sen(zero_to(6), std::vector<double>(6, 9.5));
  BOOST_TEST(fit.slope == 0.0);
  BOOST_TEST(fit.intercept == 9.5);
  BOOST_TEST(fit.slope_low == 0.0);
  BOOST_TEST(fit.slope_high == 0.0);
  BOOST_TEST(fit.confidence == 0.95);
}

BOOST_AUTO_TEST_CASE(bad_arguments_throw) {
  const std::vector<double> three = {1.0, 2.0, 3.0};
  const std::vector<double> two = {1.0, 2.0};
  BOOST_CHECK_EXCEPTION(theil_sen(three, two), std::invalid_argument, [](const auto& e) {
    return message_is(e, "theil_sen: x and y must have the same number of values");
  });
  BOOST_CHECK_EXCEPTION(theil_sen(three, three, 1.0), std::invalid_argument, [](const auto& e) {
    return message_is(e, "theil_sen: confidence must be between 0 and 1 (exclusive)");
  });
  BOOST_CHECK_THROW(theil_sen(three, three, 0.0), std::invalid_argument);
  BOOST_CHECK_THROW(theil_sen(three, three, std::nan("")), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(mann_kendall_test)

struct mk_case {
  std::string name;
  std::vector<double> y;
  double s, var_s, z, p, tau;
  int trend;
};

BOOST_AUTO_TEST_CASE(matches_the_written_out_test_and_scipy_kendalltau) {
  // Printed by tests/unit/reference/trend_reference.py (numpy 1.24.2, scipy 1.10.1): the
  // Mann-Kendall test written out in Python (pymannkendall is not installable here),
  // p = 2 * scipy.stats.norm.sf(|z|), alpha 0.05 -> {S, Var(S), z, p, tau-a, trend}.
  // Cross-checked there with scipy.stats.kendalltau(range(n), y, method='asymptotic'):
  // S from its tau-b numerator (sessions 35, formula40 648, falling -58, flat -5) and Var(S)
  // from its uncorrected z (125, 7366.67, 208, 118.33); tau-b differs from tau-a only with
  // ties in y (falling: tau-b -0.9066928292470475, tau-a -0.8787878787878788).
  // clang-format off
  const std::vector<mk_case> cases = {
      {"sessions", sessions,
       35.0, 125.0, 3.041052449399714, 0.00235752759579549, 0.7777777777777778, 1},
      {"formula40", formula_series(40),
       648.0, 7366.666666666667, 7.538219360778891, 4.764319610311358e-14, 0.8307692307692308, 1},
      {"falling (ties)", falling,
       -58.0, 208.0, -3.9522388981047576, 7.742338784705771e-05, -0.8787878787878788, -1},
      {"flat (ties)", flat,
       -5.0, 118.33333333333333, -0.36771084782153735, 0.7130888510326092, -0.1111111111111111, 0},
      {"three rising", {1.0, 2.0, 3.0},
       3.0, 3.6666666666666665, 1.044465935734187, 0.2962698714842864, 1.0, 0},
  };
  // clang-format on
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const mann_kendall_result r = mann_kendall(c.y);
      BOOST_TEST(r.s == c.s);
      BOOST_TEST(r.var_s == c.var_s, tt::tolerance(tol));
      BOOST_TEST(r.z == c.z, tt::tolerance(tol));
      // The normal tail far out (4.8e-14) keeps fewer digits than the centre.
      BOOST_TEST(r.p_value == c.p, tt::tolerance(1e-9));
      BOOST_TEST(r.tau == c.tau, tt::tolerance(tol));
      BOOST_TEST(r.trend == c.trend);
    }
  }
}

BOOST_AUTO_TEST_CASE(alpha_decides_the_trend) {
  // sessions: p = 0.00236, a trend at 0.01 but not at 0.001.
  BOOST_TEST(mann_kendall(sessions, 0.01).trend == 1);
  BOOST_TEST(mann_kendall(sessions, 0.001).trend == 0);
}

BOOST_AUTO_TEST_CASE(hand_example) {
  // 3, 1, 2: pairs (3,1) -1, (3,2) -1, (1,2) +1: S = -1; Var = 3 * 2 * 11 / 18 = 11/3;
  // z = (S + 1) / sd = 0; p = 1; tau = -1/3.
  const mann_kendall_result r = mann_kendall(std::vector<double>{3.0, 1.0, 2.0});
  BOOST_TEST(r.s == -1.0);
  BOOST_TEST(r.var_s == 11.0 / 3.0, tt::tolerance(tol));
  BOOST_TEST(r.z == 0.0);
  BOOST_TEST(r.p_value == 1.0);
  BOOST_TEST(r.tau == -1.0 / 3.0, tt::tolerance(tol));
  BOOST_TEST(r.trend == 0);
}

BOOST_AUTO_TEST_CASE(degenerate_inputs) {
  for (const auto& y :
       {std::vector<double>{}, std::vector<double>{4.0}, std::vector<double>{3.0, 3.0, 3.0, 3.0}}) {
    BOOST_TEST_CONTEXT(y.size() << " values") {
      const mann_kendall_result r = mann_kendall(y);
      BOOST_TEST(r.s == 0.0);
      BOOST_TEST(r.var_s == 0.0);
      BOOST_TEST(r.z == 0.0);
      BOOST_TEST(r.p_value == 1.0);
      BOOST_TEST(r.tau == 0.0);
      BOOST_TEST(r.trend == 0);
    }
  }
  // Two values (trend_reference.py "two"): S = -1, Var = 1, and the continuity correction
  // leaves z = 0: two points never show a trend.
  const mann_kendall_result r = mann_kendall(std::vector<double>{10.0, 4.0});
  BOOST_TEST(r.s == -1.0);
  BOOST_TEST(r.var_s == 1.0);
  BOOST_TEST(r.z == 0.0);
  BOOST_TEST(r.p_value == 1.0);
  BOOST_TEST(r.tau == -1.0);
}

BOOST_AUTO_TEST_CASE(bad_alpha_throws) {
  BOOST_CHECK_EXCEPTION(mann_kendall(sessions, 0.0), std::invalid_argument, [](const auto& e) {
    return message_is(e, "mann_kendall: alpha must be between 0 and 1 (exclusive)");
  });
  BOOST_CHECK_THROW(mann_kendall(sessions, 1.5), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
