// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The regression rule: parsing, decisions on fixed samples, and the run loop with an
// interleaved fake baseline. Deterministic: no processes, no clocks.
#define BOOST_TEST_MODULE regression
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <deque>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/error.hpp"
#include "regression_samples.hpp"
#include "perfcheck/run/runner.hpp"
#include "fake_executor.hpp"

using namespace perfcheck;
using namespace perfcheck::gate;
using namespace regression_samples;

namespace {


}  // namespace

BOOST_AUTO_TEST_CASE(parses_rules) {
  const auto r = parse_regression_rule("wall.median +5%");
  BOOST_TEST(r.metric == "wall");
  BOOST_TEST(r.tolerance == 0.05, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(parse_regression_rule(" cpu.median +12.5% ").tolerance == 0.125, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(parse_regression_rule("rss.median +0%").tolerance == 0.0);
  const auto at = parse_regression_rule("wall.p95@n=500 +10%");
  BOOST_TEST(at.metric == "wall");
  BOOST_TEST(at.statistic == "p95");
  BOOST_TEST(at.level.value_or("") == "n=500");
  BOOST_TEST(!r.level.has_value());
}

BOOST_AUTO_TEST_CASE(bad_rules_explain_the_form) {
  BOOST_TEST(error_of("wall.median 5%").find("must start with '+'") != std::string::npos);
  BOOST_TEST(error_of("wall.median +5").find("must end with '%'") != std::string::npos);
  BOOST_TEST(error_of("wall.p50 +5%").find("'p50' is not a statistic that rules compare") != std::string::npos);
  BOOST_TEST(error_of("wall +5%").find("has no statistic") != std::string::npos);
  BOOST_TEST(error_of("wall.median +x%").find("'x' is not a number") != std::string::npos);
  BOOST_TEST(error_of("wall.median +5000%").find("from 0% to 1000%") != std::string::npos);
  BOOST_TEST(error_of("wall.median").find("tolerance is missing") != std::string::npos);
  BOOST_TEST(error_of("wall.median +5%").find("(no error)") != std::string::npos);
  BOOST_TEST(error_of("wall.median 5%").find("Regression rules are written") != std::string::npos);
  BOOST_TEST(error_of("wall.median@ +5%").find("nothing follows '@'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(clear_slowdown_regresses_and_no_change_passes) {
  const auto rules = parse_regression_rules({"wall.median +5%"}, "t");
  const auto base = wall(around(100, 0.02, 20));
  auto f = evaluate_regressions(rules, base, wall(around(120, 0.02, 20, 0.3)), {});
  BOOST_REQUIRE(f.size() == 1u);
  BOOST_TEST(to_string(f[0].decision) == std::string("regressed"));
  BOOST_TEST(f[0].change > 0.15);
  BOOST_TEST(f[0].ci_low > 0.05);
  BOOST_TEST(f[0].p_value < 0.001);
  BOOST_TEST(f[0].reason.find("slower by +") != std::string::npos);

  f = evaluate_regressions(rules, base, wall(around(100, 0.02, 20, 0.3)), {});
  BOOST_TEST(to_string(f[0].decision) == std::string("pass"));
  BOOST_TEST(std::fabs(f[0].change) < 0.02);

  f = evaluate_regressions(rules, base, wall(around(80, 0.02, 20, 0.3)), {});
  BOOST_TEST(to_string(f[0].decision) == std::string("improved"));
}

BOOST_AUTO_TEST_CASE(interval_straddling_the_tolerance_is_inconclusive) {
  // +5% shift with 8% noise and few runs: the interval covers both sides of +5%.
  const auto rules = parse_regression_rules({"wall.median +5%"}, "t");
  const auto f = evaluate_regressions(rules, wall(around(100, 0.08, 8)), wall(around(105, 0.08, 8, 0.5)), {});
  BOOST_TEST(to_string(f[0].decision) == std::string("inconclusive"));
  BOOST_TEST(f[0].ci_low < 0.05);
  BOOST_TEST(f[0].ci_high > 0.05);
}

BOOST_AUTO_TEST_CASE(significant_change_within_tolerance_passes) {
  const auto rules = parse_regression_rules({"wall.median +10%"}, "t");
  const auto f = evaluate_regressions(rules, wall(around(100, 0.005, 30)), wall(around(103, 0.005, 30, 0.4)), {});
  BOOST_TEST(f[0].p_value < 0.001);  // real, but small
  BOOST_TEST(to_string(f[0].decision) == std::string("pass"));
}

BOOST_AUTO_TEST_CASE(between_session_spread_widens_the_interval) {
  const auto rules = parse_regression_rules({"wall.median +5%"}, "t");
  const auto base = wall(around(100, 0.02, 20));
  const auto cand = wall(around(110, 0.02, 20, 0.3));
  regression_options tight;
  regression_options loose;
  loose.between_session_cv = 0.05;
  loose.baseline_sessions = 3;
  const auto a = evaluate_regressions(rules, base, cand, tight);
  const auto b = evaluate_regressions(rules, base, cand, loose);
  BOOST_TEST(to_string(a[0].decision) == std::string("regressed"));
  BOOST_TEST(b[0].ci_low < a[0].ci_low);
  BOOST_TEST(b[0].ci_high > a[0].ci_high);
  BOOST_TEST(to_string(b[0].decision) == std::string("inconclusive"));
}

BOOST_AUTO_TEST_CASE(tolerance_below_noise_floor_is_inconclusive) {
  const auto rules = parse_regression_rules({"wall.median +2%"}, "t");
  regression_options o;
  o.noise_floor = 0.04;
  const auto f = evaluate_regressions(rules, wall(around(100, 0.02, 20)), wall(around(130, 0.02, 20)), o);
  BOOST_TEST(to_string(f[0].decision) == std::string("inconclusive"));
  BOOST_TEST(f[0].reason.find("below this machine's calibrated noise floor") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(holm_correction_over_several_rules) {
  const auto rules = parse_regression_rules({"wall.median +5%", "cpu.median +5%"}, "t");
  std::map<std::string, std::vector<double>> base{{"wall", around(100, 0.02, 20)}, {"cpu", around(50, 0.02, 20)}};
  std::map<std::string, std::vector<double>> cand{{"wall", around(120, 0.02, 20, 0.3)}, {"cpu", around(50, 0.02, 20, 0.3)}};
  const auto f = evaluate_regressions(rules, base, cand, {});
  BOOST_REQUIRE(f.size() == 2u);
  BOOST_TEST(f[0].p_adjusted == std::min(1.0, 2 * f[0].p_value), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f[1].p_adjusted >= f[1].p_value);
  BOOST_TEST(to_string(combine(f)) == std::string("regressed"));
}

BOOST_AUTO_TEST_CASE(too_small_samples_are_refused_with_the_minimum) {
  const auto rules = parse_regression_rules({"wall.median +5%"}, "t");
  try {
    evaluate_regressions(rules, wall({1, 2, 3}), wall({4, 5, 6}), {});
    BOOST_ERROR("accepted");
  } catch (const usage_error& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("can ever be significant at alpha 0.01") != std::string::npos);
    BOOST_TEST(m.find("use at least 5 runs on each side") != std::string::npos);
  }
  BOOST_CHECK_THROW(evaluate_regressions(parse_regression_rules({"io.median +5%"}, "t"),
                                         wall(around(1, 0.1, 10)), wall(around(1, 0.1, 10)), {}),
                    usage_error);
}

// --- the run loop with an interleaved baseline ---

namespace {

// Plays the wall times (ms) in order, over and over.
test::fake_executor scripted(std::vector<double> wall_ms) {
  return test::fake_executor([wall_ms = std::move(wall_ms)](int call) {
    run_sample s;
    s.wall_ns = static_cast<std::int64_t>(wall_ms[static_cast<std::size_t>(call) % wall_ms.size()] * 1e6);
    s.user_ns = s.wall_ns;
    s.max_rss_bytes = 1 << 20;
    s.exit_code = 0;
    return s;
  });
}

run_spec spec_runs(int min_runs, int max_runs) {
  run_spec s;
  s.name = "t";
  s.command = {"x"};
  s.warmup = 1;
  s.min_runs = min_runs;
  s.max_runs = max_runs;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(interleaved_baseline_alternates_in_random_order_and_detects) {
  test::fake_executor candidate = scripted(around(12, 0.02, 37));
  test::fake_executor baseline = scripted(around(10, 0.02, 41, 0.2));
  run::regression_plan plan;
  plan.rules = parse_regression_rules({"wall.median +5%"}, "t");
  plan.baseline.kind = "command";
  plan.baseline_executor = &baseline;
  plan.seed = 42;
  run::runner_options options;
  options.regression = &plan;
  const auto r = run::run_test(spec_runs(20, 20), candidate, options);
  BOOST_REQUIRE(r.baseline.has_value());
  BOOST_TEST(r.baseline->samples.size() == 20u);
  BOOST_TEST(baseline.calls == 21);  // one warm-up too
  // The baseline's runs come between the candidate's: neither may start a run ahead.
  BOOST_TEST(candidate.follow_ups.empty());
  BOOST_TEST(baseline.follow_ups.empty());
  const std::string& order = r.baseline->order;
  BOOST_TEST(order.size() == 40u);
  // Every pair holds one A and one B, and both orders occur.
  int ab = 0, ba = 0;
  for (std::size_t i = 0; i + 1 < order.size(); i += 2) {
    const std::string pair = order.substr(i, 2);
    BOOST_TEST((pair == "AB" || pair == "BA"));
    (pair == "AB" ? ab : ba)++;
  }
  BOOST_TEST(ab > 0);
  BOOST_TEST(ba > 0);
  BOOST_TEST(to_string(r.outcome) == std::string("regressed"));
  BOOST_REQUIRE(r.regressions.size() == 1u);
  BOOST_TEST(r.regressions[0].change > 0.1);
  BOOST_TEST(r.reasons.at(0).find("wall.median +5%: slower by") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(inconclusive_extends_runs_up_to_the_maximum) {
  // 4% shift with 10% noise and tolerance 5%: undecidable, so the runner goes to RUNS max.
  test::fake_executor candidate = scripted(around(10.4, 0.10, 97, 0.5));
  test::fake_executor baseline = scripted(around(10, 0.10, 89));
  run::regression_plan plan;
  plan.rules = parse_regression_rules({"wall.median +5%"}, "t");
  plan.baseline.kind = "command";
  plan.baseline_executor = &baseline;
  plan.seed = 7;
  run::runner_options options;
  options.regression = &plan;
  const auto r = run::run_test(spec_runs(10, 40), candidate, options);
  BOOST_TEST(r.runs.size() == 40u);
  BOOST_TEST(to_string(r.outcome) == std::string("inconclusive"));
  BOOST_TEST(r.warnings.back().find("inconclusive") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(clear_result_stops_at_the_first_look) {
  test::fake_executor candidate = scripted(around(10, 0.01, 31, 0.5));
  test::fake_executor baseline = scripted(around(10, 0.01, 29));
  run::regression_plan plan;
  plan.rules = parse_regression_rules({"wall.median +10%"}, "t");
  plan.baseline.kind = "command";
  plan.baseline_executor = &baseline;
  plan.seed = 3;
  run::runner_options options;
  options.regression = &plan;
  const auto r = run::run_test(spec_runs(12, 96), candidate, options);
  BOOST_TEST(r.runs.size() == 12u);
  BOOST_TEST(to_string(r.outcome) == std::string("pass"));
}

BOOST_AUTO_TEST_CASE(fixed_baseline_from_history_or_file) {
  test::fake_executor candidate = scripted(around(10, 0.01, 31, 0.5));
  run::regression_plan plan;
  plan.rules = parse_regression_rules({"wall.median +5%"}, "t");
  plan.baseline.kind = "file";
  plan.baseline_columns["wall"] = around(8e6, 0.01, 30);
  run::runner_options options;
  options.regression = &plan;
  const auto r = run::run_test(spec_runs(10, 10), candidate, options);
  BOOST_TEST(to_string(r.outcome) == std::string("regressed"));
  BOOST_TEST(r.baseline->runs == 30u);

  plan.baseline_columns.clear();  // first run ever: nothing to compare with
  test::fake_executor again = scripted(around(10, 0.01, 31));
  const auto first = run::run_test(spec_runs(10, 10), again, options);
  BOOST_TEST(to_string(first.outcome) == std::string("pass"));
  BOOST_TEST(first.warnings.back().find("no baseline yet") != std::string::npos);

  // More runs cannot decide against an empty baseline, nor against one too small for any
  // number of runs to reach alpha (1 run: the smallest two-sided p with 40 is 2/C(41,1) =
  // 0.049, above 0.01 split over 3 looks): the test stops at its minimum.
  test::fake_executor extendable = scripted(around(10, 0.01, 41));
  const auto none = run::run_test(spec_runs(10, 40), extendable, options);
  BOOST_TEST(none.runs.size() == 10u);
  plan.baseline_columns["wall"] = {10e6};
  test::fake_executor small = scripted(around(10, 0.01, 41));
  const auto tiny = run::run_test(spec_runs(10, 40), small, options);
  BOOST_TEST(tiny.runs.size() == 10u);
  BOOST_TEST(tiny.warnings.back().find("can never reach significance") != std::string::npos,
             tiny.warnings.back());
}
