// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Soaks in a sweep (DURATION with PARAMETERS or CONCURRENCY): what the plan compiles and refuses,
// every level measured for the duration with the levels interleaved, the trends per level (a
// concurrency level's per round) and the gates on them, and the points' trends in the result file.
#define BOOST_TEST_MODULE sweep_soak
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "error_text.hpp"
#include "fake_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/sweep.hpp"

using namespace perfcheck;
using perfcheck_test::error_text;
using strings = std::vector<std::string>;

namespace {

const spec_origin file{"specs/t.json", false};
const spec_origin flags{"command line", true};
constexpr std::int64_t ms = 1'000'000;

run_spec soak_spec(strings concurrency, std::vector<parameter_spec> parameters = {}) {
  run_spec s;
  s.name = "t";
  s.command = {"prog"};
  s.concurrency = std::move(concurrency);
  s.parameters = std::move(parameters);
  s.duration_ns = 200 * ms;
  s.seed = 11;
  return s;
}

std::string compile_error(const run_spec& spec, const spec_origin& origin) {
  return error_text<usage_error>([&] { (void)compile_plan(spec, origin); });
}

void expect_in(const std::string& text, const std::string& part) {
  BOOST_TEST(text.find(part) != std::string::npos, "'" << part << "' not in: " << text);
}

const threshold_outcome* outcome_at(const run_result& r, const std::string& expr, const std::string& at) {
  for (const auto& t : r.thresholds)
    if (t.expr.text == expr && t.at == at) return &t;
  return nullptr;
}

// Copies (or runs) of 10 ms each; at the level with `leaking` copies every run's tree holds
// 64 KiB more than the one before, at the others 1 MiB throughout.
run::level_factory fake_levels(int leaking) {
  return [leaking](const test_plan& p) {
    const bool leaks = p.copies == leaking;
    run::prepared_level level;
    level.executor = std::make_unique<test::fake_executor>([leaks](int call) {
      run_sample s;
      s.wall_ns = 10 * ms;
      s.rss_tree_bytes = (1 << 20) + (leaks ? std::int64_t{call} * 65536 : 0);
      s.threads_max = 1;
      return s;
    });
    return level;
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(a_duration_holds_at_every_level_of_a_sweep) {
  run_spec s = soak_spec({}, {{"n", {"1", "2"}}});
  s.thresholds = {"rss.growth < 10%", "wall.drift@n=2 < 5%"};
  const test_plan p = compile_plan(s, file);
  BOOST_TEST((p.soak == soak_mode::duration));
  const test_plan one = plan_at(p, p.levels[0]);
  BOOST_TEST(one.schedule.min_runs == 1);
  BOOST_TEST(one.schedule.min_time_ns == 200 * ms);  // the duration is the level's
  BOOST_TEST(one.schedule.max_runs == max_run_count);
  BOOST_TEST(one.thresholds.size() == 1u);
  BOOST_TEST(plan_at(p, p.levels[1]).thresholds.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_concurrency_level_soaks_in_rounds_capped_by_copies) {
  run_spec s = soak_spec({"1", "10"});
  s.thresholds = {"rss.growth@concurrency=10 < 10%", "threads.growth < 10%", "rss.slope@1 < 1MiB/min"};
  const test_plan p = compile_plan(s, flags);
  const test_plan ten = plan_at(p, p.levels[1]);
  BOOST_TEST(ten.copies == 10);
  BOOST_TEST(ten.schedule.min_time_ns == 200 * ms);
  BOOST_TEST(ten.schedule.max_runs == max_run_count / 10);  // 100000 copies in all, as 100000 runs
  BOOST_TEST(plan_at(p, p.levels[0]).schedule.max_runs == max_run_count);
  BOOST_TEST(ten.thresholds.size() == 2u);
  // Across the levels too: the highest concurrency up to which memory does not grow.
  s.thresholds = {"breaking_point(rss.growth < 10%, concurrency) >= 10"};
  BOOST_TEST(compile_plan(s, file).breaking_points.size() == 1u);
}

BOOST_AUTO_TEST_CASE(one_long_run_is_refused_at_concurrency_levels_and_kept_for_parameters) {
  run_spec once = soak_spec({"1", "4"});
  once.duration_ns = 0;
  once.once = true;
  expect_in(compile_error(once, file), "specs/t.json: test 't': concurrency: DURATION ONCE is one long run, but a "
                                       "concurrency level runs rounds of copies");
  expect_in(compile_error(once, file), "give a time instead, e.g. DURATION 2min");
  expect_in(compile_error(once, flags), "--concurrency: --duration once is one long run");
  once.parameters = {{"n", {"1", "2"}}};
  expect_in(compile_error(once, flags), "--concurrency: --duration once");
  run_spec plain = soak_spec({}, {{"n", {"1", "2"}}});
  plain.duration_ns = 0;
  plain.once = true;
  plain.thresholds = {"rss.growth < 10%"};
  const test_plan p = compile_plan(plain, file);
  BOOST_TEST((plan_at(p, p.levels[1]).schedule == run_schedule{0, 1, 1, 0}));
}

BOOST_AUTO_TEST_CASE(trend_gates_still_need_a_soak_in_a_sweep) {
  run_spec s = soak_spec({"1", "4"});
  s.duration_ns = 0;
  s.thresholds = {"rss.growth@4 < 10%"};
  expect_in(compile_error(s, file), "threshold 'rss.growth@4 < 10%': rss.growth@4 is measured only across a soak; "
                                    "add DURATION ONCE (one long run) or DURATION 10min");
  s.duration_ns = 200 * ms;
  s.thresholds = {"rss.growth@3 < 10%"};
  expect_in(compile_error(s, file), "the test has no level concurrency=3");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(runs)

BOOST_AUTO_TEST_CASE(each_concurrency_level_runs_rounds_for_the_duration_and_gets_its_trends) {
  run_spec s = soak_spec({"1", "3"});
  s.thresholds = {"rss.growth < 10%", "threads.growth < 10%", "wall.drift < 5%",
                  "breaking_point(rss.growth < 10%, concurrency)"};
  const run_result r = run::run_sweep(compile_plan(s, file), fake_levels(3), {});
  BOOST_TEST(r.points.size() == 2u);
  BOOST_TEST(r.points[0].runs.size() == 20u);  // 20 rounds of 10 ms make the 200 ms
  BOOST_TEST(r.points[1].runs.size() == 60u);  // 20 rounds of 3 copies
  BOOST_TEST(r.points[1].warmup_runs.size() == 3u);
  // Interleaved round by round: both levels among the first two measured rounds.
  BOOST_TEST(r.point_order.size() == 40u);
  BOOST_TEST(r.point_order[0] + r.point_order[1] == 1u);
  for (const auto& p : r.points) {
    BOOST_TEST(p.trends.count("rss") == 1u);
    BOOST_TEST(p.trends.at("rss").n == 20u);  // a point per round, not per copy
    BOOST_TEST(p.trends.count("threads") == 1u);
    BOOST_TEST(p.trends.count("wall") == 1u);
  }
  BOOST_TEST(!r.points[0].trends.at("rss").significant);
  BOOST_TEST(r.points[1].trends.at("rss").significant);
  BOOST_TEST(r.points[1].trends.at("rss").change > 0.5);
  BOOST_TEST(r.points[1].trends.at("rss").start > 3.0 * (1 << 20));  // rss.total: three copies at once
  BOOST_TEST(r.trends.empty());
  const auto* one = outcome_at(r, "rss.growth < 10%", "concurrency=1");
  const auto* three = outcome_at(r, "rss.growth < 10%", "concurrency=3");
  BOOST_REQUIRE(one != nullptr);
  BOOST_REQUIRE(three != nullptr);
  BOOST_TEST(one->ok);
  BOOST_TEST(!three->ok);
  BOOST_TEST(outcome_at(r, "threads.growth < 10%", "concurrency=3")->ok);
  // The breaking point reads each level's trend: memory holds at one copy, grows at three.
  const auto* ramp = outcome_at(r, "breaking_point(rss.growth < 10%, concurrency)", "");
  BOOST_REQUIRE(ramp != nullptr);
  BOOST_REQUIRE(ramp->breaking_point.has_value());
  BOOST_TEST(ramp->breaking_point->level.value_or("none") == "1");
  BOOST_TEST(ramp->breaking_point->first_failed == "3");
  BOOST_TEST((r.points[0].outcome == verdict::pass));
  BOOST_TEST((r.points[1].outcome == verdict::failed));
  BOOST_TEST((r.outcome == verdict::failed));
  BOOST_TEST(r.reasons.size() == 1u);
  expect_in(r.reasons.front(), "concurrency=3: rss.growth < 10%: measured ");
}

BOOST_AUTO_TEST_CASE(each_parameter_level_runs_for_the_duration) {
  run_spec s = soak_spec({}, {{"n", {"1", "2"}}});
  s.thresholds = {"rss.growth@n=1 < 10%"};
  const run_result r = run::run_sweep(compile_plan(s, file), fake_levels(-1), {});
  for (const auto& p : r.points) {
    BOOST_TEST(p.runs.size() == 20u);
    BOOST_TEST(p.warmup_runs.size() == 1u);
    BOOST_TEST(p.trends.at("rss").n == 20u);
  }
  BOOST_TEST(r.thresholds.size() == 1u);
  BOOST_TEST(r.thresholds[0].ok);
  BOOST_TEST((r.outcome == verdict::pass));
}

BOOST_AUTO_TEST_CASE(a_duration_too_short_for_a_trend_warns_and_fails_its_gates) {
  // 5 ms is less than one round of 10 ms: each level measures one round, too few for a trend.
  run_spec s = soak_spec({"1", "2"});
  s.duration_ns = 5 * ms;
  s.thresholds = {"rss.growth@2 < 10%"};
  const run_result r = run::run_sweep(compile_plan(s, file), fake_levels(-1), {});
  BOOST_TEST(r.points[1].runs.size() == 2u);  // one round of two copies
  BOOST_TEST(r.points[1].trends.empty());
  bool warned = false;
  for (const auto& w : r.warnings)
    warned = warned || w == "concurrency=2: 1 rounds are too few to judge a trend across the soak (8 needed); "
                            "give a longer --duration";
  BOOST_TEST(warned);
  BOOST_TEST(!r.thresholds.at(0).ok);
  BOOST_TEST(!r.thresholds.at(0).measured);
  BOOST_TEST((r.outcome == verdict::failed));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(result_file)

BOOST_AUTO_TEST_CASE(a_points_trends_read_back_and_a_point_without_keeps_its_old_form) {
  run_result r;
  r.name = "t";
  r.command = {"prog"};
  trend_outcome t;
  t.n = 20;
  t.slope = 1024;
  t.change = 0.25;
  t.significant = true;
  t.window_ns = 200 * ms;
  r.points = {result_point{{{"concurrency", "1"}}, verdict::pass, {}, {}, {}, {}, {}},
              result_point{{{"concurrency", "3"}}, verdict::failed, {}, {}, {}, {}, {{"rss", t}}}};
  const boost::json::value json = result_to_json(r);
  const auto& points = json.at("points").as_array();
  BOOST_TEST(!points[0].as_object().contains("trends"));
  BOOST_TEST(points[1].at("trends").at("rss").at("change").as_double() == 0.25);
  BOOST_TEST((result_from_json(json, "r.json").points == r.points));
  boost::json::value bad = json;
  bad.at("points").as_array()[1].as_object()["trends"].as_object()["rss"] = 3;
  expect_in(error_text<usage_error>([&] { (void)result_from_json(bad, "r.json"); }), "rss");
  bad.at("points").as_array()[1].as_object()["trends"] = {{"rss", {{"n", -1}}}};
  expect_in(error_text<usage_error>([&] { (void)result_from_json(bad, "r.json"); }), "points[1].trends.rss");
}

BOOST_AUTO_TEST_SUITE_END()
