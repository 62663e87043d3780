// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Complexity fits and the bound test against tests/unit/reference/complexity_reference.py (the
// standard library only: exact rational least squares, the wild bootstrap enumerated over all
// sign patterns), which first checks itself against Anscombe's data set I as R's lm reports it
// and against Student's t table.
#define BOOST_TEST_MODULE complexity
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/stats/complexity.hpp"
#include "perfcheck/stats/growth_bound.hpp"
#include "error_text.hpp"

namespace tt = boost::test_tools;
using namespace perfcheck::stats;

namespace {

std::vector<complexity_point> points(const std::vector<double>& n, const std::vector<double>& y,
                                     const std::vector<double>& runs = {}) {
  std::vector<complexity_point> out;
  for (std::size_t i = 0; i < n.size(); ++i) out.push_back({n[i], y[i], runs.empty() ? 1.0 : runs[i]});
  return out;
}

// The data of complexity_reference.py; keep the two in step.
const auto sweep = points({10, 10, 50, 50, 100, 100, 200, 200, 500, 500},
                          {2.31, 2.24, 3.98, 4.07, 6.71, 6.52, 12.8, 12.3, 33.1, 32.2});
const auto medians = points({16, 64, 256, 1024}, {0.52, 1.9, 8.3, 31.0}, {10, 10, 12, 9});
const auto flat = points({10, 10, 100, 100, 1000, 1000}, {1.00, 1.03, 1.01, 0.99, 1.03, 1.04});
const auto boot = points({10, 20, 50, 100, 200, 500, 1000, 2000}, {1.3, 2.05, 5.2, 10.9, 20.1, 53.0, 101.0, 212.0});

struct expected_fit {
  double intercept, slope, rss, ll, aicc, bic;
};

void check(const class_fit& f, const expected_fit& e) {
  BOOST_TEST_CONTEXT("class " << growth_name(f.cls)) {
    BOOST_TEST(f.intercept == e.intercept, tt::tolerance(1e-9));
    if (e.slope != 0) BOOST_TEST(f.slope == e.slope, tt::tolerance(1e-9));
    BOOST_TEST(f.rss == e.rss, tt::tolerance(1e-8));
    BOOST_TEST(f.log_likelihood == e.ll, tt::tolerance(1e-9));
    if (std::isfinite(e.aicc)) BOOST_TEST(f.aicc == e.aicc, tt::tolerance(1e-9));
    if (!std::isfinite(e.aicc)) BOOST_TEST(std::isinf(f.aicc));
    BOOST_TEST(f.bic == e.bic, tt::tolerance(1e-9));
  }
}

std::string message_of(const std::vector<complexity_point>& p) {
  return perfcheck_test::error_text<std::invalid_argument>([&] { fit_complexity(p); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_class_matches_exact_least_squares_and_the_criteria) {
  const auto fit = fit_complexity(sweep);
  BOOST_TEST(fit.points == 10u);
  BOOST_TEST(fit.levels == 5u);
  BOOST_TEST_REQUIRE(fit.candidates.size() == 6u);
  check(fit.candidates[0], {3.329191934193276, 0, 3.6765852578902125, -29.424047583116845, 64.5623808805194, 63.453265352221784});
  check(fit.candidates[1], {-2.9028577937931885, 2.137794311050432, 1.4321933489884653, -24.710160969724388, 59.420321939448776, 56.32807721843091});
  check(fit.candidates[2], {1.5929894372811542, 0.054736557776058126, 0.05557144356386714, -8.463696498226332, 26.927392996452664, 23.8351482754348});
  check(fit.candidates[3], {2.056637722964308, 0.009887720522752275, 0.0025266503481301598, 6.990178561315059, -3.9803571226301173, -7.07260184364798});
  check(fit.candidates[4], {2.8719596951931656, 0.00014633876939947136, 0.73317505801607, -21.362271663504636, 52.72454332700927, 49.63229860599141});
  check(fit.candidates[5], {3.1432704787171852, 2.6657118891728814e-07, 1.550813799238423, -25.1080246959721, 60.2160493919442, 57.12380467092634});
  BOOST_TEST(growth_name(fit.best) == "n log n");
  // Equal weights: the linear class as the reference fits it.
  check(fit_complexity(sweep, complexity_weighting::equal).candidates[2],
        {0.8093728988880267, 0.06286992500646496, 4.147375782260151, -9.7888388301078, 29.5776776602156, 26.485432939197736});
}

BOOST_AUTO_TEST_CASE(medians_weighted_by_their_runs_match_the_reference) {
  const auto fit = fit_complexity(medians, complexity_weighting::relative, 0.90);
  check(fit.candidates[0], {0.6568035521601134, 0, 23.77202125827766, -10.134703465598234, 36.26940693119647, 23.04199565343625});
  check(fit.candidates[2], {0.02295317968614147, 0.030750565001594076, 0.054880654928634184, 2.0075038815336503, INFINITY, 0.14387532029237082});
  check(fit.candidates[3], {0.3163356229263667, 0.005051522080269612, 0.5392914018315891, -2.56268640214167, INFINITY, 9.284255887643011});
  BOOST_TEST(growth_name(fit.best) == "n");
  BOOST_TEST(fit.loglog.slope == 0.9919387669284523, tt::tolerance(1e-9));
  BOOST_TEST(fit.loglog.low == 0.9389900562909469, tt::tolerance(1e-6));
  BOOST_TEST(fit.loglog.high == 1.0448874775659576, tt::tolerance(1e-6));
  BOOST_TEST(fit.loglog.confidence == 0.90);
}

BOOST_AUTO_TEST_CASE(log_log_slope_interval_uses_student_t) {
  // Reference: t(0.975, 8) from its own integration of the t density, checked against tables.
  const auto fit = fit_complexity(sweep);
  BOOST_TEST(fit.loglog.slope == 0.6747295583741026, tt::tolerance(1e-9));
  BOOST_TEST(fit.loglog.low == 0.5318771731635007, tt::tolerance(1e-6));
  BOOST_TEST(fit.loglog.high == 0.8175819435847046, tt::tolerance(1e-6));
  BOOST_CHECK_THROW(fit_complexity(sweep, complexity_weighting::relative, 1.0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(data_without_noise_is_classified_exactly) {
  for (growth g : all_growths) {
    std::vector<complexity_point> p;
    for (double n : {8.0, 32.0, 128.0, 512.0, 2048.0}) p.push_back({n, 5 + 0.25 * growth_term(g, n), 1});
    const auto fit = fit_complexity(p);
    BOOST_TEST_CONTEXT("class " << growth_name(g)) {
      BOOST_TEST(growth_name(fit.best) == growth_name(g));
      const auto& own = fit.candidates[static_cast<std::size_t>(g)];
      BOOST_TEST(own.intercept == (g == growth::constant ? 5.25 : 5.0), tt::tolerance(1e-6));
      if (g != growth::constant) BOOST_TEST(own.slope == 0.25, tt::tolerance(1e-6));
      for (const auto& c : fit.candidates) BOOST_TEST(std::isfinite(c.bic));
    }
  }
  // Pure n^2 without an intercept: the log-log slope is exactly 2 with a zero-width interval.
  const auto sq = fit_complexity(points({2, 4, 8, 16}, {4, 16, 64, 256}));
  BOOST_TEST(sq.loglog.slope == 2.0, tt::tolerance(1e-12));
  BOOST_TEST(sq.loglog.high - sq.loglog.low < 1e-9);
}

BOOST_AUTO_TEST_CASE(constant_and_falling_data_are_the_constant_class) {
  const auto flat = fit_complexity(points({10, 100, 1000}, {7, 7, 7}));
  BOOST_TEST(growth_name(flat.best) == "1");
  BOOST_TEST(flat.candidates[0].intercept == 7.0, tt::tolerance(1e-12));
  BOOST_TEST(std::abs(flat.loglog.slope) < 1e-12);
  BOOST_TEST(std::abs(flat.loglog.high - flat.loglog.low) < 1e-9);
  for (const auto& c : flat.candidates) BOOST_TEST(std::isfinite(c.bic));
  // Falling with the level: every growth class has a slope < 0, none is admissible.
  const auto falling = fit_complexity(points({10, 100, 1000, 10000}, {9.0, 6.1, 3.9, 2.0}));
  BOOST_TEST(growth_name(falling.best) == "1");
  for (std::size_t i = 1; i < falling.candidates.size(); ++i) {
    BOOST_TEST(falling.candidates[i].slope < 0);
    BOOST_TEST(!falling.candidates[i].admissible);
  }
  BOOST_TEST(falling.loglog.slope < 0);
}

BOOST_AUTO_TEST_CASE(the_prior_keeps_a_flat_metric_constant_where_bic_alone_would_not) {
  // Reference BICs: 1 -27.592463965415543, n^3 -30.238304873384706 (slope 2.79e-11 > 0): n^3 is
  // 2.65 lower, less than 2 ln 5 = 3.22, the prior's handicap of a growth class.
  const auto fit = fit_complexity(flat);
  BOOST_TEST(fit.candidates[0].bic == -27.592463965415543, tt::tolerance(1e-9));
  BOOST_TEST(fit.candidates[5].bic == -30.238304873384706, tt::tolerance(1e-9));
  BOOST_TEST(fit.candidates[5].admissible);
  BOOST_TEST(fit.candidates[5].score - fit.candidates[0].score == 2 * std::log(5.0) - 2.6458409079691627,
             tt::tolerance(1e-6));
  BOOST_TEST(growth_name(fit.best) == "1");
}

BOOST_AUTO_TEST_CASE(bad_points_are_errors_that_say_what_to_do) {
  BOOST_TEST(message_of(points({10, 100}, {1, 2})).find("2 distinct level(s)") != std::string::npos);
  BOOST_TEST(message_of(points({10, 100}, {1, 2})).find("at least 3 distinct levels") != std::string::npos);
  BOOST_TEST(message_of(points({5, 5, 5, 5}, {1, 2, 3, 4})).find("1 distinct level(s)") != std::string::npos);
  BOOST_TEST(message_of({}).find("0 distinct level(s)") != std::string::npos);
  BOOST_TEST(message_of(points({10, 0, 100}, {1, 2, 3})).find("point 2") != std::string::npos);
  BOOST_TEST(message_of(points({10, 20, 100}, {1, -2, 3})).find("value must be positive") != std::string::npos);
  BOOST_TEST(message_of(points({10, 20, 100}, {1, NAN, 3})).find("point 2") != std::string::npos);
  BOOST_TEST(message_of(points({10, 20, 100}, {1, 2, 3}, {1, 0, 1})).find("runs must be positive") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bound_test_matches_the_enumerated_wild_bootstrap) {
  // The reference enumerates all 2^8 Rademacher patterns: exact p 33/256 = 0.12890625, t
  // 1.1373390637595386. 20,000 draws estimate it with a standard error of 0.0024.
  bound_test_options o;
  o.replicates = 20000;
  const auto r = test_growth_bound(boot, growth::linear, o);
  BOOST_TEST(r.statistic == 1.1373390637595386, tt::tolerance(1e-8));
  BOOST_TEST(r.extra > 0);
  BOOST_TEST(std::abs(r.p_value - 0.12890625) < 0.012);
  BOOST_TEST(r.replicates == 20000u);
  const auto nlogn = test_growth_bound(boot, growth::n_log_n, o);
  BOOST_TEST(nlogn.statistic == -3.5113478972048786, tt::tolerance(1e-8));
  BOOST_TEST(std::abs(nlogn.p_value - 0.99609375) < 0.003);
  // The same seed gives the same p-value; a different seed another draw of the same estimate.
  o.replicates = 999;
  BOOST_TEST(test_growth_bound(boot, growth::linear, o).p_value == test_growth_bound(boot, growth::linear, o).p_value);
}

BOOST_AUTO_TEST_CASE(bound_test_degenerate_cases_have_clear_results) {
  // Exactly linear: the null fits without residuals, nothing to resample: p 1.
  const auto line = points({10, 20, 50, 100, 200}, {3, 5, 11, 21, 41});
  const auto exact = test_growth_bound(line, growth::linear);
  BOOST_TEST(exact.p_value == 1.0);
  BOOST_TEST(exact.statistic == 0.0);
  // Exactly n log n against the bound n, 4 runs at each of 5 levels: the alternative fits
  // exactly, t is large but finite, and only the all-plus sign pattern (2^-20) could reach it.
  std::vector<complexity_point> nl;
  for (double n : {10.0, 20.0, 50.0, 100.0, 200.0}) {
    for (int r = 0; r < 4; ++r) nl.push_back({n, 2 + n * std::log(n), 1});
  }
  const auto bent = test_growth_bound(nl, growth::linear);
  BOOST_TEST(std::isfinite(bent.statistic));
  BOOST_TEST(bent.p_value == 1.0 / 1000);
  // Constant data against O(1): on the null.
  BOOST_TEST(test_growth_bound(points({10, 20, 50, 100}, {4, 4, 4, 4}), growth::constant).p_value == 1.0);
  BOOST_CHECK_THROW(test_growth_bound(points({10, 20, 50}, {1, 2, 3}), growth::linear), std::invalid_argument);
  bound_test_options few;
  few.replicates = 10;
  BOOST_CHECK_THROW(test_growth_bound(line, growth::linear, few), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(gates_fail_only_on_a_faster_class_with_a_holm_adjusted_p_below_alpha) {
  // Holm by hand: p 0.004, 0.02, 0.5 over three gates -> 0.012, 0.04, 0.5.
  const std::vector<bound_gate> gates = {{growth::linear, growth::quadratic, 0.004},
                                         {growth::linear, growth::n_log_n, 0.02},
                                         {growth::quadratic, growth::cubic, 0.5}};
  const auto d = decide_bounds(gates, 0.05);
  BOOST_TEST_REQUIRE(d.size() == 3u);
  BOOST_TEST(d[0].p_adjusted == 0.012, tt::tolerance(1e-12));
  BOOST_TEST(d[1].p_adjusted == 0.04, tt::tolerance(1e-12));
  BOOST_TEST(d[2].p_adjusted == 0.5, tt::tolerance(1e-12));
  BOOST_TEST(d[0].exceeded);
  BOOST_TEST(d[1].exceeded);
  BOOST_TEST(!d[2].exceeded);
  // A fitted class within the bound never fails, however small its p.
  const std::vector<bound_gate> within = {{growth::quadratic, growth::linear, 0.0001}};
  BOOST_TEST(!decide_bounds(within, 0.05)[0].exceeded);
  BOOST_CHECK_THROW(decide_bounds(within, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_quadratic_sweep_fails_linear_and_a_linear_one_passes) {
  std::vector<complexity_point> quad, lin;
  const double wobble[] = {1.03, 0.98, 1.01, 0.96, 1.04, 0.99, 1.02, 0.97, 1.0, 1.05};
  std::size_t k = 0;
  for (double n : {10.0, 50.0, 100.0, 200.0, 500.0}) {
    for (int r = 0; r < 2; ++r, ++k) {
      quad.push_back({n, (50 + n * n) * wobble[k], 1});
      lin.push_back({n, (50 + 20 * n) * wobble[k], 1});
    }
  }
  const auto fq = fit_complexity(quad);
  const auto tq = test_growth_bound(quad, growth::linear);
  BOOST_TEST(growth_name(fq.best) == "n^2");
  BOOST_TEST(tq.p_value < 0.01);
  const auto fl = fit_complexity(lin);
  const auto tl = test_growth_bound(lin, growth::linear);
  BOOST_TEST(growth_name(fl.best) == "n");
  const std::vector<bound_gate> g = {{growth::linear, fq.best, tq.p_value}, {growth::linear, fl.best, tl.p_value}};
  const auto d = decide_bounds(g, 0.01);
  BOOST_TEST(d[0].exceeded);
  BOOST_TEST(!d[1].exceeded);
}
