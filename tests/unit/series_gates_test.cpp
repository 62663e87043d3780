// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Gates across a sweep's levels: the breaking-point grammar, the plan's checks of complexity
// gates and breaking points (messages), their evaluation over points (fitted class, Holm,
// breaking level, degenerate data) and the outcomes' JSON.
#define BOOST_TEST_MODULE series_gates
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "error_text.hpp"
#include "perfcheck/gate/series_gates.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/series_expr.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/runner.hpp"

using namespace perfcheck;
using perfcheck_test::error_text;
using strings = std::vector<std::string>;

namespace {

const spec_origin file{"specs/t.json", false};
const spec_origin flags{"command line", true};

run_spec spec_with(strings thresholds, std::vector<parameter_spec> parameters = {{"n", {"10", "20", "40", "80"}}}) {
  run_spec s;
  s.name = "sorter";
  s.command = {"prog"};
  s.parameters = std::move(parameters);
  s.thresholds = std::move(thresholds);
  return s;
}

std::string plan_error(const run_spec& s, const spec_origin& origin = file) {
  return error_text<usage_error>([&] { (void)compile_plan(s, origin); });
}

void expect_in(const std::string& text, const std::string& part) {
  BOOST_TEST(text.find(part) != std::string::npos, "'" << part << "' not in: " << text);
}

// A point at `at` whose runs took `wall_ms` each (CPU time the same), summarized.
result_point point(level at, const std::vector<double>& wall_ms, int exit_code = 0) {
  run_result r;
  for (double ms : wall_ms) {
    run_sample s;
    s.wall_ns = static_cast<std::int64_t>(ms * 1e6);
    s.user_ns = s.wall_ns;
    s.exit_code = exit_code;
    r.runs.push_back(s);
  }
  run::summarize_runs(r);
  return {std::move(at), exit_code == 0 ? verdict::pass : verdict::error, r.runs, {}, r.summary, {}, {}};
}

// A sweep over n = 10 .. 320 (6 levels, 8 runs each) of cost(n) ms with `noise` relative
// normal noise, seeded.
run_result sweep_of(double (*cost)(double), double noise, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  run_result r;
  for (double n : {10.0, 20.0, 40.0, 80.0, 160.0, 320.0}) {
    std::vector<double> ms;
    for (int k = 0; k < 8; ++k) ms.push_back(cost(n) * (1 + noise * z(rng)));
    r.points.push_back(point({{"n", fmt::format("{}", n)}}, ms));
  }
  return r;
}

double linear(double n) { return 2 + 0.5 * n; }
double quadratic(double n) { return 2 + 0.01 * n * n; }
double flat(double) { return 5; }

test_plan plan_of(strings thresholds, std::vector<parameter_spec> parameters = {{"n", {"10", "20", "40", "80"}}}) {
  return compile_plan(spec_with(std::move(thresholds), std::move(parameters)), file);
}

void apply(run_result& r, const test_plan& p) {
  gate::apply_series_gates(r, p.complexity, p.breaking_points, 0.01);
}

}  // namespace

BOOST_AUTO_TEST_CASE(breaking_points_parse_with_and_without_parameter_and_gate) {
  const auto b = parse_breaking_point("breaking_point(wall.p99 < 200ms, concurrency) >= 20");
  BOOST_TEST(b.gate.metric == "wall");
  BOOST_TEST(b.gate.statistic == "p99");
  BOOST_TEST(b.gate.limit == 200e6);
  BOOST_TEST(b.parameter == "concurrency");
  BOOST_TEST(b.op == ">=");
  BOOST_TEST(b.limit == 20);
  const auto bare = parse_breaking_point("  breaking_point( cpu.median <= 1s )");
  BOOST_TEST(bare.parameter.empty());
  BOOST_TEST(bare.op.empty());
  BOOST_TEST(is_series_gate("wall.median ~ O(n)"));
  BOOST_TEST(is_series_gate("breaking_point(wall.p99 < 1s)"));
  BOOST_TEST(!is_series_gate("wall.p99 < 1s"));
}

BOOST_AUTO_TEST_CASE(bad_breaking_points_say_what_is_wrong_and_show_the_form) {
  const auto err = [](const char* text) { return error_text<usage_error>([&] { (void)parse_breaking_point(text); }); };
  expect_in(err("breaking_point(wall.p99 < 1s"), "closing parenthesis is missing");
  expect_in(err("breaking_point(wall.p99 < 1s) >= many"), "'many' is not a level");
  expect_in(err("breaking_point(wall.p99 < 1s) about 3"), "is not an operator and a level");
  expect_in(err("breaking_point(wall.p99@4 < 1s)"), "drop '@4'");
  expect_in(err("breaking_point(wall.p99 < 1s, 2x)"), "is not an identifier");
  expect_in(err("breaking_point(, n)"), "threshold inside the parentheses is missing");
  expect_in(err("breaking_point(wall.p99 < 1s) >"), "breaking_point(<threshold>[, <parameter>]) [<op> <level>]");
}

BOOST_AUTO_TEST_CASE(the_plan_keeps_gates_across_levels_apart_from_thresholds) {
  const test_plan p = plan_of({"wall.p95 < 1s", "cpu.median ~ O(n log n)", "breaking_point(wall.median < 50ms) >= 20",
                               "rss.max < 1GiB"});
  BOOST_TEST(p.thresholds.size() == 2u);
  BOOST_TEST(p.thresholds[1].text == "rss.max < 1GiB");
  BOOST_REQUIRE(p.complexity.size() == 1u);
  BOOST_TEST(p.complexity[0].subject.metric == "cpu");
  BOOST_TEST(p.complexity[0].bound.parameter == "n");
  BOOST_TEST((p.complexity[0].bound.bound == stats::growth::n_log_n));
  BOOST_REQUIRE(p.breaking_points.size() == 1u);
  BOOST_TEST(p.breaking_points[0].parameter == "n");  // the only numeric parameter
  // A level's plan runs no gate across levels.
  const test_plan at = plan_at(p, p.levels[0]);
  BOOST_TEST(at.complexity.empty());
  BOOST_TEST(at.breaking_points.empty());
}

BOOST_AUTO_TEST_CASE(complexity_gates_the_plan_cannot_evaluate_are_errors_naming_the_test_and_fix) {
  auto s = spec_with({"wall.median ~ O(n)"}, {});
  expect_in(plan_error(s), "specs/t.json: test 'sorter': threshold 'wall.median ~ O(n)': a complexity gate reads");
  expect_in(plan_error(s), "add PARAMETERS n 10 50 100 200 500 to add_perf_test");
  expect_in(plan_error(s, flags), "add --parameter n=10,50,100,200,500");
  expect_in(plan_error(spec_with({"wall.median ~ O(m)"})), "the test has no parameter 'm' (its parameters: n)");
  expect_in(plan_error(spec_with({"wall.median ~ O(n)"}, {{"n", {"10", "20"}}})),
            "n has 2 value(s), but a complexity gate needs at least 3");
  expect_in(plan_error(spec_with({"wall.median ~ O(n)"}, {{"n", {"small", "big", "huge"}}})),
            "the values of 'n' are not all numbers");
  expect_in(plan_error(spec_with({"wall.median ~ O(n)"}, {{"n", {"0", "1", "2"}}})), "n = 0 is not positive");
  expect_in(plan_error(spec_with({"wall.p95 ~ O(n)"})), "its subject is <metric>.median or <metric>.mean");
  expect_in(plan_error(spec_with({"wall.median ~ O(n^4)"})), "is not one of O(1), O(log n)");
  expect_in(plan_error(spec_with({"wall.median@10 ~ O(n)"})), "drop the '@' part");
  expect_in(plan_error(spec_with({"wall.median ~ O(1)"}, {{"n", {"1", "2", "3"}}, {"m", {"1", "2"}}})),
            "several numeric parameters (n, m); O(1) names no parameter");
  auto few = spec_with({"wall.median ~ O(n)"}, {{"n", {"1", "2", "3"}}});
  few.min_runs = few.max_runs = 1;
  expect_in(plan_error(few), "3 values with 1 run(s) each are too few runs");
}

BOOST_AUTO_TEST_CASE(breaking_points_the_plan_cannot_evaluate_are_errors) {
  expect_in(plan_error(spec_with({"breaking_point(wall.p99 < 1s)"}, {})), "a breaking point reads the levels of a sweep");
  expect_in(plan_error(spec_with({"breaking_point(wall.p99 < 1s, c)"})), "the test has no parameter 'c'");
  expect_in(plan_error(spec_with({"breaking_point(wall.p99 < 1s)"}, {{"n", {"1", "2"}}, {"m", {"1", "2"}}})),
            "name the parameter, e.g. breaking_point(wall.p99 < 200ms, concurrency)");
  expect_in(plan_error(spec_with({"breaking_point(wall.p99 < 1s)"}, {{"n", {"8"}}})), "a breaking point steps through at least 2");
  expect_in(plan_error(spec_with({"breaking_point(wall.p99 < soon) >= 2"})),
            "specs/t.json: test 'sorter': threshold 'breaking_point(wall.p99 < soon) >= 2': bad threshold");
}

BOOST_AUTO_TEST_CASE(a_linear_sweep_passes_O_n_and_a_quadratic_one_fails_it) {
  const test_plan p = plan_of({"wall.median ~ O(n)"});
  run_result lin = sweep_of(linear, 0.05);
  apply(lin, p);
  BOOST_REQUIRE(lin.thresholds.size() == 1u);
  const threshold_outcome& ok = lin.thresholds[0];
  BOOST_TEST(ok.ok);
  BOOST_REQUIRE(ok.complexity.has_value());
  BOOST_TEST(ok.complexity->fitted == "n");
  BOOST_TEST(ok.complexity->slope_low < ok.complexity->slope);
  BOOST_TEST(ok.complexity->points == 48u);
  BOOST_TEST(ok.complexity->levels == 6u);
  BOOST_TEST((lin.outcome == verdict::pass));

  run_result quad = sweep_of(quadratic, 0.05);
  apply(quad, p);
  const threshold_outcome& bad = quad.thresholds[0];
  BOOST_TEST(!bad.ok);
  BOOST_TEST(bad.complexity->fitted == "n^2");
  BOOST_TEST(bad.complexity->p_adjusted < 0.01);
  // The fitted curve is what the data say: 0.01 n^2 ms plus about 2 ms.
  BOOST_TEST(bad.complexity->coefficient == 0.01e6, boost::test_tools::tolerance(0.1));
  BOOST_TEST((quad.outcome == verdict::failed));
  BOOST_REQUIRE(!quad.reasons.empty());
  expect_in(quad.reasons.back(), "wall.median ~ O(n): grows faster than O(n): fitted O(n^2), log-log slope");
}

BOOST_AUTO_TEST_CASE(holm_adjusts_over_every_complexity_gate_of_the_test) {
  const test_plan p = plan_of({"wall.median ~ O(n)", "cpu.median ~ O(n)"});
  run_result r = sweep_of(quadratic, 0.05);
  apply(r, p);
  BOOST_REQUIRE(r.thresholds.size() == 2u);
  for (const auto& t : r.thresholds) BOOST_TEST(t.complexity->p_adjusted >= t.complexity->p_value);
  // Holm (1979): the smaller p is multiplied by the number of gates.
  const auto& a = *r.thresholds[0].complexity;
  const auto& b = *r.thresholds[1].complexity;
  BOOST_TEST(std::min(a.p_adjusted, b.p_adjusted) == std::min(1.0, 2 * std::min(a.p_value, b.p_value)));
  BOOST_TEST(a.p_adjusted > a.p_value);
}

BOOST_AUTO_TEST_CASE(constant_and_noiseless_data_pass_with_a_clear_fit) {
  const test_plan p = plan_of({"wall.median ~ O(1)"});
  run_result flat_sweep = sweep_of(flat, 0.0);
  apply(flat_sweep, p);
  BOOST_TEST(flat_sweep.thresholds[0].ok);
  BOOST_TEST(flat_sweep.thresholds[0].complexity->fitted == "1");
  BOOST_TEST(std::abs(flat_sweep.thresholds[0].complexity->slope) < 1e-12);
  run_result exact = sweep_of(linear, 0.0);
  apply(exact, plan_of({"wall.median ~ O(n)"}));
  BOOST_TEST(exact.thresholds[0].ok);
  BOOST_TEST(exact.thresholds[0].complexity->fitted == "n");
  BOOST_TEST(exact.thresholds[0].complexity->p_value == 1.0);
}

BOOST_AUTO_TEST_CASE(too_few_points_and_failed_levels_are_outcomes_not_evaluated_never_passes) {
  const test_plan p = plan_of({"wall.median ~ O(n)"});
  run_result two;
  two.points.push_back(point({{"n", "10"}}, {5, 5}));
  two.points.push_back(point({{"n", "20"}}, {10, 10}));
  apply(two, p);
  BOOST_TEST(!two.thresholds[0].ok);
  BOOST_TEST(!two.thresholds[0].measured);
  BOOST_TEST((two.outcome == verdict::failed));
  expect_in(two.reasons.back(), "wall.median ~ O(n): not evaluated: ");
  expect_in(two.reasons.back(), "3 distinct levels");

  run_result failed = sweep_of(linear, 0.05);
  failed.points[2] = point({{"n", "40"}}, {20, 21}, 1);
  failed.outcome = verdict::error;
  apply(failed, p);
  BOOST_TEST(!failed.thresholds[0].ok);
  expect_in(failed.reasons.back(), "level n=40 has no successful run to fit");
  BOOST_TEST((failed.outcome == verdict::error));
}

BOOST_AUTO_TEST_CASE(runs_at_zero_are_left_out_of_the_fit_and_said_not_a_failure) {
  // A run faster than the subtracted overhead is clamped to 0: it cannot enter a log-log fit,
  // and must not fail a linear sweep.
  const test_plan p = plan_of({"wall.median ~ O(n)"});
  run_result r = sweep_of(linear, 0.05);
  r.points[0].runs[3].wall_ns = 0;
  apply(r, p);
  BOOST_REQUIRE(r.thresholds.size() == 1u);
  BOOST_TEST(r.thresholds[0].ok);
  BOOST_TEST(r.thresholds[0].complexity->points == 47u);
  BOOST_TEST((r.outcome == verdict::pass));
  BOOST_REQUIRE(r.warnings.size() == 1u);
  expect_in(r.warnings[0], "wall.median ~ O(n): 1 run with a value of 0 or less left out of the fit");
  // A level with no run above 0 is not evaluated, and says why.
  run_result zero = sweep_of(linear, 0.05);
  for (auto& run : zero.points[1].runs) run.wall_ns = 0;
  apply(zero, p);
  BOOST_TEST(!zero.thresholds[0].ok);
  expect_in(zero.reasons.back(), "level n=20 has no run with wall above 0 to fit");
}

BOOST_AUTO_TEST_CASE(a_complexity_gate_over_one_of_two_parameters_is_decided_per_group) {
  const test_plan p = plan_of({"wall.median ~ O(n)"}, {{"n", {"10", "20", "40"}}, {"mode", {"a", "b"}}});
  run_result r;
  for (const char* mode : {"a", "b"}) {
    for (double n : {10.0, 20.0, 40.0}) {
      const double ms = std::string(mode) == "a" ? linear(n) : 0.05 * n * n;
      r.points.push_back(point({{"n", fmt::format("{}", n)}, {"mode", mode}}, {ms, ms * 1.01, ms * 0.99, ms * 1.02}));
    }
  }
  apply(r, p);
  BOOST_REQUIRE(r.thresholds.size() == 2u);
  BOOST_TEST(r.thresholds[0].at == "mode=a");
  BOOST_TEST(r.thresholds[0].ok);
  BOOST_TEST(r.thresholds[1].at == "mode=b");
  BOOST_TEST(!r.thresholds[1].ok);
  expect_in(r.reasons.back(), "wall.median ~ O(n) at mode=b: grows faster");
}

BOOST_AUTO_TEST_CASE(the_breaking_point_is_the_last_level_before_the_first_failure) {
  run_result r;  // levels out of order: the breaking point follows the numeric order
  r.points.push_back(point({{"n", "400"}}, {400, 410}));
  r.points.push_back(point({{"n", "10"}}, {10, 11}));
  r.points.push_back(point({{"n", "40"}}, {40, 41}));
  r.points.push_back(point({{"n", "20"}}, {250, 260}));  // a dip that fails too
  r.points[3] = point({{"n", "20"}}, {20, 21});
  const test_plan p = plan_of({"breaking_point(wall.median < 200ms) >= 40", "breaking_point(wall.median < 200ms) > 40",
                               "breaking_point(wall.median < 5ms) >= 10", "breaking_point(wall.median < 1s)"},
                              {{"n", {"10", "20", "40", "400"}}});
  apply(r, p);
  BOOST_REQUIRE(r.thresholds.size() == 4u);
  const auto& at40 = r.thresholds[0];
  BOOST_REQUIRE(at40.breaking_point.has_value());
  BOOST_TEST(*at40.breaking_point->level == "40");
  BOOST_TEST(at40.breaking_point->first_failed == "400");
  BOOST_TEST(at40.value == 40.0);
  BOOST_TEST(at40.ok);
  BOOST_TEST(!r.thresholds[1].ok);
  BOOST_TEST(!r.thresholds[2].breaking_point->level.has_value());  // none: the first level fails
  BOOST_TEST(!r.thresholds[2].ok);
  BOOST_TEST(!r.thresholds[2].measured);
  BOOST_TEST(*r.thresholds[3].breaking_point->level == "400");     // holds everywhere: the highest
  BOOST_TEST(r.thresholds[3].breaking_point->first_failed.empty());
  BOOST_TEST(r.thresholds[3].ok);
  BOOST_TEST((r.outcome == verdict::failed));
  expect_in(r.reasons[0], "breaking_point(wall.median < 200ms) > 40: breaking point n=40 (fails at n=400), not > 40");
  expect_in(r.reasons[1], "breaking point none (fails at n=10)");
}

BOOST_AUTO_TEST_CASE(a_level_whose_runs_failed_breaks_the_gate_there) {
  run_result r;
  r.points.push_back(point({{"c", "1"}}, {10, 10}));
  r.points.push_back(point({{"c", "2"}}, {10, 10}, 3));
  r.points.push_back(point({{"c", "4"}}, {10, 10}));
  apply(r, plan_of({"breaking_point(wall.median < 1s) >= 1"}, {{"c", {"1", "2", "4"}}}));
  BOOST_TEST(*r.thresholds[0].breaking_point->level == "1");
  BOOST_TEST(r.thresholds[0].breaking_point->first_failed == "2");
}

BOOST_AUTO_TEST_CASE(series_outcomes_round_trip_through_json_with_their_parts) {
  run_result r = sweep_of(quadratic, 0.05);
  apply(r, plan_of({"wall.median ~ O(n)", "breaking_point(wall.median < 300ms) >= 80"}));  // 258 ms at 160
  BOOST_REQUIRE(r.thresholds.size() == 2u);
  for (const auto& t : r.thresholds) {
    const boost::json::value j = threshold_outcome_to_json(t);
    const threshold_outcome back = threshold_outcome_from_json(json_reader(j, "r.json"));
    BOOST_TEST((back == t));
    // The history import checks the parts against the text.
    BOOST_TEST((series_gate_parts(t.expr.text) == t.expr));
  }
  const boost::json::value j = threshold_outcome_to_json(r.thresholds[0]);
  BOOST_TEST(j.at("complexity").at("fitted").as_string() == "n^2");
  BOOST_TEST(j.at("complexity").at("bound").as_string() == "n");
  BOOST_TEST(j.at("complexity").as_object().contains("intercept"));
  BOOST_TEST(threshold_outcome_to_json(r.thresholds[1]).at("breaking_point").at("level").as_string() == "160");
  boost::json::value edited = j;
  edited.as_object()["complexity"].as_object()["fitted"] = "n^5";
  expect_in(error_text<usage_error>([&] { (void)threshold_outcome_from_json(json_reader(edited, "r.json")); }),
            "'n^5' is not a complexity class");
}
