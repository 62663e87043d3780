// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Concurrency levels: CONCURRENCY in the plan (the level `concurrency`, its checks, {instance}),
// the concurrency metrics in the threshold grammar, and rounds through the run loop and the
// sweep with a fake executor (throughput, errors, efficiency, rss.total).
#define BOOST_TEST_MODULE concurrency
#include <boost/test/unit_test.hpp>

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

#include "fake_executor.hpp"
#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/threshold.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/rounds.hpp"
#include "perfcheck/run/sweep.hpp"

using namespace perfcheck;
using strings = std::vector<std::string>;

namespace {

const spec_origin file{"specs/t.json", false};
const spec_origin flags{"command line", true};

run_spec concurrent_spec(strings levels, strings command = {"prog", "--port", "80{instance}"}) {
  run_spec s;
  s.name = "t";
  s.command = std::move(command);
  s.concurrency = std::move(levels);
  return s;
}

std::string compile_error(const run_spec& spec, const spec_origin& origin) {
  try {
    (void)compile_plan(spec, origin);
  } catch (const usage_error& e) {
    return e.what();
  }
  BOOST_FAIL("no usage_error was thrown");
  return {};
}

void expect_in(const std::string& text, const std::string& part) {
  BOOST_TEST(text.find(part) != std::string::npos, "'" << part << "' not in: " << text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(concurrency_is_one_more_level_after_the_parameters) {
  run_spec s = concurrent_spec({"1", "05", "10"});
  s.parameters = {{"n", {"10", "20"}}};
  s.command = {"prog", "{n}", "{instance}"};
  const test_plan p = compile_plan(s, file);
  BOOST_TEST(p.levels.size() == 6u);
  BOOST_TEST(to_string(p.levels[1]) == "n=10,concurrency=5");  // 05 is the level 5
  const test_plan at = plan_at(p, p.levels[1]);
  BOOST_TEST(at.copies == 5);
  BOOST_TEST(at.levels.empty());
  BOOST_TEST(at.spec.concurrency.empty());
  // {instance} is left for the launcher, each copy's own number; the level's values are in.
  BOOST_TEST(at.spec.command == (strings{"prog", "10", "{instance}"}));
  BOOST_TEST(plan_at(compile_plan(concurrent_spec({"3"}), file), level{{"concurrency", "3"}}).copies == 3);
}

BOOST_AUTO_TEST_CASE(a_level_without_concurrency_runs_single_processes) {
  run_spec s;
  s.name = "t";
  s.command = {"prog", "{n}"};
  s.parameters = {{"n", {"1", "2"}}};
  const test_plan p = compile_plan(s, file);
  BOOST_TEST(plan_at(p, p.levels[0]).copies == 0);
}

BOOST_AUTO_TEST_CASE(bad_copy_counts_name_the_test_and_the_fix) {
  const std::string place = "specs/t.json: test 't': concurrency: ";
  expect_in(compile_error(concurrent_spec({"0"}), file), place + "0 is not a number of copies: each level starts at least 1");
  expect_in(compile_error(concurrent_spec({"-4"}), file), "-4 is not a number of copies");
  expect_in(compile_error(concurrent_spec({"2.5"}), file), "'2.5' is not a whole number of copies; give whole "
                                                           "numbers from 1 to 1000, e.g. CONCURRENCY 1 5 10");
  expect_in(compile_error(concurrent_spec({"many"}), file), "'many' is not a whole number of copies");
  expect_in(compile_error(concurrent_spec({""}), file), "a copy count is empty");
  expect_in(compile_error(concurrent_spec({"1001"}), file), "1001 copies are more than one level may start (1000)");
  expect_in(compile_error(concurrent_spec({"99999999999"}), file), "copies are more than one level may start");
  expect_in(compile_error(concurrent_spec({"5", "1", "5"}), file), "the level 5 is given twice (duplicate levels)");
  expect_in(compile_error(concurrent_spec({"0"}), flags), "--concurrency: 0 is not a number of copies");
  expect_in(compile_error(concurrent_spec({"0"}), flags), "e.g. --concurrency 1,5,10");
}

BOOST_AUTO_TEST_CASE(other_mistakes_are_refused_before_anything_runs) {
  run_spec named = concurrent_spec({"1", "2"});
  named.parameters = {{"instance", {"1"}}};
  expect_in(compile_error(named, file), "the parameter name 'instance' is taken by CONCURRENCY");
  run_spec big = concurrent_spec({"1", "2"});
  big.parameters = {{"n", {"1..600+1"}}};
  expect_in(compile_error(big, file), "make 1200 levels, more than 1000");
  run_spec soak = concurrent_spec({"2"});
  soak.duration_ns = 60'000'000'000;  // once refused as "a sweep of soaks": each level now soaks in rounds
  const test_plan soaked = compile_plan(soak, file);
  BOOST_TEST(plan_at(soaked, soaked.levels[0]).schedule.min_time_ns == 60'000'000'000);
  soak.duration_ns = 0;
  soak.once = true;  // one long run: a round keeps no memory timeline
  expect_in(compile_error(soak, file), "concurrency: DURATION ONCE is one long run, but a concurrency level runs "
                                       "rounds of copies");
  run_spec folder = concurrent_spec({"2"});
  folder.working_directory = "/tmp/w{instance}";
  expect_in(compile_error(folder, file), "working_directory: {instance} in the working directory is not supported");
  // Regression rules compare each level with the same level of the history, a baseline file or
  // a baseline command (a round of its copies paired with each round: below).
  run_spec rules = concurrent_spec({"2"});
  rules.regressions = {"wall.median +5%"};
  const test_plan with_rules = compile_plan(rules, file);
  BOOST_TEST(with_rules.regressions.size() == 1u);
  rules.baseline = "command";
  rules.baseline_command = {"/bin/true"};
  BOOST_TEST((compile_plan(rules, file).baseline == baseline_kind::command));
}

BOOST_AUTO_TEST_CASE(instance_without_concurrency_is_an_error_naming_the_field) {
  run_spec s = concurrent_spec({});
  expect_in(compile_error(s, file), "specs/t.json: test 't': command[2]: {instance} is the copy number of a "
                                    "concurrency test, but the test has no CONCURRENCY; add CONCURRENCY 1 5 10");
  s.command = {"prog"};
  s.environment = {"PORT=80{instance}"};
  expect_in(compile_error(s, flags), "--env: {instance} is the copy number");
  s.environment = {"PORT=80{{instance}"};  // the literal text
  BOOST_CHECK_NO_THROW(compile_plan(s, file));
}

BOOST_AUTO_TEST_CASE(concurrency_metrics_need_concurrency_and_efficiency_level_one) {
  run_spec plain;
  plain.name = "t";
  plain.command = {"prog"};
  for (const char* t : {"throughput.median > 10/s", "errors.rate < 1%", "errors.count == 0", "efficiency > 50%",
                        "rss.total < 1GiB"}) {
    plain.thresholds = {t};
    expect_in(compile_error(plain, file), "is measured only by a concurrency test; add CONCURRENCY");
  }
  run_spec no_one = concurrent_spec({"2", "4"});
  no_one.thresholds = {"efficiency@4 > 50%"};
  expect_in(compile_error(no_one, file), "efficiency@4 compares each level with the throughput of one copy, but "
                                         "the test has no concurrency level 1; add 1 to CONCURRENCY");
  run_spec ok = concurrent_spec({"1", "4"});
  ok.thresholds = {"efficiency@4 > 50%", "errors.rate@concurrency=4 < 1%", "wall.p95@4 < 1s"};
  BOOST_CHECK_NO_THROW(compile_plan(ok, file));
  ok.thresholds = {"wall.p95@3 < 1s"};
  expect_in(compile_error(ok, file), "the test has no level concurrency=3 (the values of concurrency are 1, 4)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(grammar)

BOOST_AUTO_TEST_CASE(the_concurrency_metrics_parse_with_their_units) {
  const threshold_expr rate = parse_threshold("errors.rate@50 < 1%");
  BOOST_TEST(rate.metric == "errors");
  BOOST_TEST(rate.statistic == "rate");
  BOOST_TEST((rate.form == value_form::percent));
  BOOST_TEST(rate.limit == 0.01);
  BOOST_TEST(*rate.level == "50");
  const threshold_expr count = parse_threshold("errors.count == 0");
  BOOST_TEST((count.source == subject_source::count));
  const threshold_expr throughput = parse_threshold("throughput.median > 100/s");
  BOOST_TEST((throughput.kind == unit_kind::rate));
  BOOST_TEST(throughput.limit == 100.0);
  const threshold_expr efficiency = parse_threshold("efficiency > 60%");
  BOOST_TEST(efficiency.statistic == "median");
  BOOST_TEST(efficiency.limit == 0.6);
  BOOST_TEST(parse_threshold("efficiency.p90 > 60%").statistic == "p90");
  const threshold_expr total = parse_threshold("rss.total < 1GiB");
  BOOST_TEST(total.metric == "rss.total");
  BOOST_TEST(total.statistic == "max");
  for (const auto& e : {rate, count, throughput, efficiency, total}) BOOST_TEST(is_concurrency_metric(e));
  BOOST_TEST(!is_concurrency_metric(parse_threshold("exit.failures == 0")));
  BOOST_TEST(!is_concurrency_metric(parse_threshold("rss.max < 1GiB")));
  expect_in([] {
    try {
      parse_threshold("errors.rate < 0.01");
    } catch (const usage_error& e) {
      return std::string(e.what());
    }
    return std::string();
  }(), "is a percentage (write e.g. 10%)");
}

BOOST_AUTO_TEST_CASE(percent_outcomes_of_counts_and_summaries_read_back_from_a_file) {
  // errors.rate (a count, as a percentage), efficiency and cpu.util (summaries, as percentages).
  for (const char* text : {"errors.rate@50 < 1%", "efficiency@4 > 60%", "cpu.util.median > 150%"}) {
    threshold_outcome o;
    o.expr = parse_threshold(text);
    o.value = 0.5;
    o.at = "concurrency=4";
    const boost::json::value json = threshold_outcome_to_json(o);
    BOOST_TEST((threshold_outcome_from_json(json_reader(json, "r.json")) == o), text);
  }
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A concurrency sweep over 1 and 4 copies whose fake copies take `ms_at_1` ms alone and
// `ms_at_4` ms four at once; copy `failing` of each round of 4 exits 1.
struct fake_rounds {
  int ms_at_1 = 10, ms_at_4 = 20, failing = -1;

  run::level_factory factory() {
    return [this](const test_plan& p) {
      const int copies = p.copies;
      run::prepared_level level;
      level.executor = std::make_unique<test::fake_executor>([this, copies](int call) {
        run_sample s;
        s.wall_ns = (copies == 1 ? ms_at_1 : ms_at_4) * 1'000'000LL;
        s.exit_code = copies == 4 && call % 4 == failing ? 1 : 0;
        s.rss_tree_bytes = 1 << 20;
        return s;
      });
      return level;
    };
  }
};

test_plan rounds_plan(strings thresholds, bool allow_failures = false) {
  run_spec s = concurrent_spec({"1", "4"}, {"prog"});
  s.warmup = 1;
  s.min_runs = s.max_runs = 3;
  s.thresholds = std::move(thresholds);
  s.allow_failures = allow_failures;
  s.seed = 5;
  return compile_plan(s, file);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rounds)

BOOST_AUTO_TEST_CASE(runs_count_rounds_and_each_copy_is_a_run) {
  fake_rounds fake;
  const run_result r = run::run_sweep(rounds_plan({}), fake.factory(), {});
  BOOST_TEST(r.points.size() == 2u);
  BOOST_TEST(r.points[0].runs.size() == 3u);
  BOOST_TEST(r.points[0].warmup_runs.size() == 1u);
  BOOST_TEST(r.points[1].runs.size() == 12u);  // three rounds of four
  BOOST_TEST(r.points[1].warmup_runs.size() == 4u);
  const auto& one = r.points[0].summary;
  const auto& four = r.points[1].summary;
  // Throughput: completed copies over the round's wall time (the fake's: the longest copy).
  BOOST_TEST(one.at("throughput").median == 100.0);
  BOOST_TEST(four.at("throughput").median == 200.0);
  BOOST_TEST(four.at("throughput").n == 3u);
  // Efficiency: 200/s at 4 copies over 4 x 100/s at one.
  BOOST_TEST(four.at("efficiency").median == 0.5);
  BOOST_TEST(one.at("efficiency").median == 1.0);
  BOOST_TEST(four.at("rss.total").max == double(4 << 20));
  BOOST_TEST(four.at("errors.count").median == 0.0);
  BOOST_TEST(four.at("wall").n == 12u);  // latency over every copy
  BOOST_TEST((r.outcome == verdict::pass));
}

BOOST_AUTO_TEST_CASE(a_baseline_command_runs_a_round_of_copies_beside_each_round) {
  // The candidate's copies take 12 ms at 4 copies, the baseline command's 10 ms (both 10 ms
  // alone); each side's copies vary by a few percent so that the intervals are not degenerate.
  const auto jitter = [](int call) { return (call * 7919 % 13) * 20'000LL; };  // 0 .. 0.24 ms
  const run::level_factory factory = [&](const test_plan& p) {
    run::prepared_level level;
    const int copies = p.copies;
    level.executor = std::make_unique<test::fake_executor>([copies, jitter](int call) {
      run_sample s;
      s.wall_ns = (copies == 1 ? 10 : 12) * 1'000'000LL + jitter(call);
      return s;
    });
    run::prepared_regression& regression = level.regression.emplace();
    regression.plan.rules = gate::parse_regression_rules({"wall.median +5%"}, "t");
    regression.plan.baseline.kind = "command";
    regression.plan.seed = 11;
    auto baseline = std::make_unique<test::fake_executor>([jitter](int call) {
      run_sample s;
      s.wall_ns = 10'000'000LL + jitter(call + 5);
      return s;
    });
    regression.plan.baseline_executor = baseline.get();
    regression.baseline_executor = std::move(baseline);
    return level;
  };
  run_spec s = concurrent_spec({"1", "4"}, {"prog"});
  s.warmup = 1;
  s.min_runs = s.max_runs = 6;
  s.regressions = {"wall.median +5%"};
  s.baseline = "command";
  s.baseline_command = {"base"};
  s.seed = 5;
  const run_result r = run::run_sweep(compile_plan(s, file), factory, {});
  BOOST_REQUIRE(r.points.size() == 2u);
  BOOST_TEST(r.points[1].runs.size() == 24u);  // six rounds of four
  BOOST_REQUIRE(r.regressions.size() == 2u);
  for (const auto& f : r.regressions) {
    const bool four = f.at == "concurrency=4";
    // Every copy of the baseline's rounds is a run: 6 x 4 at 4 copies, 6 at one.
    BOOST_TEST(f.baseline_n == (four ? 24u : 6u), f.at);
    BOOST_TEST(f.candidate_n == (four ? 24u : 6u), f.at);
    BOOST_TEST(to_string(f.decision) == std::string(four ? "regressed" : "pass"), f.at + ": " + f.reason);
  }
  BOOST_TEST(to_string(r.outcome) == std::string("regressed"));
  BOOST_TEST(to_string(r.points[0].outcome) == std::string("pass"));
}

BOOST_AUTO_TEST_CASE(failing_copies_are_errors_when_failures_are_allowed) {
  fake_rounds fake;
  fake.failing = 2;
  const run_result r = run::run_sweep(
      rounds_plan({"errors.rate@4 < 20%", "errors.count@4 == 3", "throughput.median@4 > 160/s"}, true),
      fake.factory(), {});
  const auto& four = r.points[1].summary;
  BOOST_TEST(four.at("errors.rate").median == 0.25);
  BOOST_TEST(four.at("errors.count").median == 3.0);
  BOOST_TEST(four.at("throughput").median == 150.0);  // three of four completed in 20 ms
  BOOST_TEST(r.thresholds.size() == 3u);
  BOOST_TEST(!r.thresholds[0].ok);
  BOOST_TEST(r.thresholds[0].value == 0.25);
  BOOST_TEST(r.thresholds[1].ok);
  BOOST_TEST(!r.thresholds[2].ok);
  BOOST_TEST((r.outcome == verdict::failed));
}

BOOST_AUTO_TEST_CASE(a_failing_copy_ends_the_test_without_allowed_failures) {
  fake_rounds fake;
  fake.failing = 0;
  const run_result r = run::run_sweep(rounds_plan({}), fake.factory(), {});
  BOOST_TEST((r.outcome == verdict::error));
  BOOST_TEST(r.points[1].runs.empty());  // its warm-up round failed
  BOOST_TEST(r.points[1].warmup_runs.size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_copy_stopped_by_a_limit_is_an_error_not_a_reason_when_failures_are_allowed) {
  run_result result;
  run_sample stopped;
  stopped.limit = limit_kind::timeout;
  result.runs = {run_sample{}, stopped};
  run::note_limited_copies(result);
  BOOST_TEST(result.warnings.size() == 1u);
  expect_in(result.warnings.front(), "copies stopped by a limit (1 TIMEOUT) are counted as errors");
  run::round_figures round{1'000'000'000, 0, 4, 3};
  BOOST_TEST(run::throughput_of(round) == 3.0);
  BOOST_TEST(run::throughput_of(run::round_figures{}) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
