// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// compile_plan: the typed plan, and every error it raises before anything runs.
#define BOOST_TEST_MODULE plan
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/test_plan.hpp"

using namespace perfcheck;

namespace {

run_spec spec_of(std::vector<std::string> thresholds, std::vector<std::string> rules = {}) {
  run_spec s;
  s.name = "t";
  s.command = {"true"};
  s.thresholds = std::move(thresholds);
  s.regressions = std::move(rules);
  return s;
}

const spec_origin file{"specs/t.json", false};
const spec_origin flags{"command line", true};

// The message of the usage_error that compiling `spec` raises; fails the test when none does.
std::string error_of(const run_spec& spec, const spec_origin& origin) {
  try {
    (void)compile_plan(spec, origin);
  } catch (const usage_error& e) {
    return e.what();
  }
  BOOST_FAIL("compile_plan accepted the spec");
  return {};
}

void expect_in(const std::string& text, const std::string& part) {
  BOOST_TEST(text.find(part) != std::string::npos, "'" << part << "' not in: " << text);
}

}  // namespace

BOOST_AUTO_TEST_CASE(compiles_thresholds_rules_and_enums) {
  run_spec s = spec_of({"wall.p95 < 120ms", "rss.max <= 64MiB"}, {"wall.median +5%", "cpu.median +10%"});
  s.baseline = "command";
  s.baseline_command = {"old"};
  s.fail_on_inconclusive = true;
  const test_plan p = compile_plan(s, file);
  BOOST_TEST(p.thresholds.size() == 2u);
  BOOST_TEST(p.thresholds[0].metric == "wall");
  BOOST_TEST(p.thresholds[0].limit == 120e6);
  BOOST_TEST(p.thresholds[1].limit == 64.0 * 1024 * 1024);
  BOOST_TEST(p.regressions.size() == 2u);
  BOOST_TEST(p.regressions[1].metric == "cpu");
  BOOST_TEST(p.regressions[1].tolerance == 0.10);
  BOOST_TEST((p.baseline == baseline_kind::command));
  BOOST_TEST((p.on_inconclusive == inconclusive_policy::fail));
  BOOST_TEST((p.soak == soak_mode::none));
  BOOST_TEST((p.schedule == run_schedule{1, 10, 10, 0}));
}

BOOST_AUTO_TEST_CASE(a_soak_is_folded_into_the_schedule) {
  run_spec once = spec_of({"rss.growth < 10%"});
  once.once = true;
  once.warmup = 3;
  const test_plan a = compile_plan(once, file);
  BOOST_TEST((a.soak == soak_mode::once));
  BOOST_TEST((a.schedule == run_schedule{0, 1, 1, 0}));

  run_spec soak = spec_of({"wall.drift < 5%", "rss.slope < 1MiB/min"});
  soak.duration_ns = 3'000'000'000;
  const test_plan b = compile_plan(soak, file);
  BOOST_TEST((b.soak == soak_mode::duration));
  BOOST_TEST((b.schedule == run_schedule{1, 1, max_run_count, 3'000'000'000}));
}

BOOST_AUTO_TEST_CASE(looks_double_from_the_minimum_to_the_maximum) {
  BOOST_TEST(planned_looks({0, 10, 40, 0}) == (std::vector<int>{10, 20, 40}));
  BOOST_TEST(planned_looks({0, 12, 96, 0}) == (std::vector<int>{12, 24, 48, 96}));
  BOOST_TEST(planned_looks({0, 10, 30, 0}) == (std::vector<int>{10, 20, 30}));
  BOOST_TEST(planned_looks({0, 10, 10, 0}) == (std::vector<int>{10}));
}

BOOST_AUTO_TEST_CASE(a_bad_regression_rule_names_the_file_and_the_test) {
  const std::string e = error_of(spec_of({}, {"wall.median 5%"}), file);
  expect_in(e, "specs/t.json: test 't': bad regression rule 'wall.median 5%'");
  expect_in(e, "the tolerance must start with '+'");
  expect_in(error_of(spec_of({}, {"wall.median 5%"}), flags), "--regression: bad regression rule");
}

BOOST_AUTO_TEST_CASE(a_rule_on_a_metric_no_run_has_is_an_error) {
  const std::string e = error_of(spec_of({}, {"wal.median +5%"}), file);
  expect_in(e, "specs/t.json: test 't': regression rule 'wal.median +5%': no run measures 'wal'");
  expect_in(e, "rules compare one of cpu, cpu.util, ctx.involuntary");
}

BOOST_AUTO_TEST_CASE(a_soak_trend_without_a_soak_names_the_fix) {
  const std::string e = error_of(spec_of({"rss.growth < 10%"}), file);
  expect_in(e, "specs/t.json: test 't': threshold 'rss.growth < 10%': rss.growth is measured only across a soak");
  expect_in(e, "add DURATION ONCE (one long run) or DURATION 10min to add_perf_test");
  expect_in(error_of(spec_of({"rss.slope < 1MiB/min"}), flags),
            "--threshold 'rss.slope < 1MiB/min': rss.slope is measured only across a soak; add --duration once");
  // wall.drift compares runs: a soak of one run cannot have it.
  run_spec once = spec_of({"wall.drift < 5%"});
  once.once = true;
  expect_in(error_of(once, file), "wall.drift compares repeated runs, but a soak of one run (once) has one; "
                                  "add DURATION 10min to add_perf_test");
  expect_in(error_of(spec_of({"wall.drift < 5%"}), flags), "add --duration 10min");
}

BOOST_AUTO_TEST_CASE(memory_trends_need_the_sampler) {
  run_spec s = spec_of({"rss.growth < 10%"});
  s.once = true;
  s.sample_interval_ns = 0;
  expect_in(error_of(s, file), "rss.growth follows the sampled tree memory of the one long run, but sampling is off");
  // A sampled limit turns the sampler on whatever the interval.
  s.limits.memory_bytes = 1 << 30;
  BOOST_CHECK_NO_THROW((void)compile_plan(s, file));
  // Repeated runs trend over each run's peak, which needs no sampler.
  run_spec soak = spec_of({"rss.growth < 10%", "rss.slope < 1MiB/min"});
  soak.duration_ns = 1'000'000'000;
  soak.sample_interval_ns = 0;
  BOOST_CHECK_NO_THROW((void)compile_plan(soak, file));
}

BOOST_AUTO_TEST_CASE(thread_gates_need_the_sampler_and_rules_may_compare_threads) {
  run_spec s = spec_of({"threads.max <= 8"}, {"threads.median +10%", "cpu.util.median +10%"});
  BOOST_CHECK_NO_THROW((void)compile_plan(s, file));
  s.sample_interval_ns = 0;
  expect_in(error_of(s, file), "specs/t.json: test 't': threshold 'threads.max <= 8': threads.max counts "
                               "threads with the tree sampler, but sampling is off (sample interval 0)");
  s.limits.processes = 10;  // a sampled limit turns it on
  BOOST_CHECK_NO_THROW((void)compile_plan(s, file));
}

BOOST_AUTO_TEST_CASE(a_flag_over_a_spec_file_gets_the_flag_fix) {
  spec_origin by_flag = file;
  by_flag.thresholds_by_flag = true;
  const std::string e = error_of(spec_of({"rss.growth < 10%"}), by_flag);
  expect_in(e, "--threshold 'rss.growth < 10%': rss.growth is measured only across a soak; add --duration once");
  by_flag.rules_by_flag = true;
  expect_in(error_of(spec_of({}, {"wall.median 5%"}), by_flag), "--regression: bad regression rule");
}

BOOST_AUTO_TEST_CASE(a_level_the_test_does_not_have_is_an_error) {
  const std::string e = error_of(spec_of({"wall.p95@16 < 1s"}), file);
  expect_in(e, "threshold 'wall.p95@16 < 1s': the test has no level '16'");
  expect_in(e, "write the threshold without '@16'");
  expect_in(error_of(spec_of({"wall.median@n=500 < 3s"}), flags), "has no level 'n=500'");
}

BOOST_AUTO_TEST_CASE(bad_threshold_text_keeps_its_message) {
  expect_in(error_of(spec_of({"wal.p95 < 1s"}), file), "specs/t.json: test 't': bad threshold 'wal.p95 < 1s': unknown metric 'wal'");
  expect_in(error_of(spec_of({"wall.p95 < 1 parsec"}), flags), "--threshold: bad threshold 'wall.p95 < 1 parsec'");
  // The spec's own checks come first, with their field.
  run_spec s = spec_of({});
  s.min_runs = 0;
  expect_in(error_of(s, file), "specs/t.json: runs: minimum 0 is out of range");
}

// Results carry the parts of each threshold; older files (text only) get them when read.
BOOST_AUTO_TEST_CASE(threshold_outcomes_round_trip_and_old_files_read) {
  threshold_outcome growth{parse_threshold("rss.growth < 10%"), 0.4056, false};
  const auto json = threshold_outcome_to_json(growth);
  BOOST_TEST(json.at("metric").as_string() == "rss");
  BOOST_TEST(json.at("statistic").as_string() == "growth");
  BOOST_TEST(json.at("op").as_string() == "<");
  BOOST_TEST(json.at("limit").as_double() == 0.1);
  BOOST_TEST(json.at("unit").as_string() == "count");
  BOOST_TEST(json.at("form").as_string() == "percent");
  BOOST_TEST(json.at("source").as_string() == "soak");
  BOOST_TEST((threshold_outcome_from_json(json_reader(json, "r.json")) == growth));
  BOOST_TEST(format_threshold_value(growth.expr, growth.value) == "40.6%");

  const auto old = boost::json::parse(R"({"expr": "wall.p95 < 4s", "value": 6.1e7, "ok": true})");
  const threshold_outcome o = threshold_outcome_from_json(json_reader(old, "old.json"));
  BOOST_TEST(o.typed);
  BOOST_TEST(o.expr.metric == "wall");
  BOOST_TEST(o.expr.limit == 4e9);
  BOOST_TEST(o.measured);

  const auto foreign = boost::json::parse(R"({"expr": "gpu.p95 < 4s", "value": 1, "ok": true})");
  const threshold_outcome f = threshold_outcome_from_json(json_reader(foreign, "old.json"));
  BOOST_TEST(!f.typed);
  BOOST_TEST(f.expr.text == "gpu.p95 < 4s");
}

BOOST_AUTO_TEST_CASE(bad_threshold_parts_name_the_place) {
  const auto bad = boost::json::parse(
      R"({"expr": "wall.p95 < 4s", "metric": "wall", "statistic": "p95", "op": "<<", "limit": 4e9, "unit": "duration"})");
  try {
    (void)threshold_outcome_from_json(json_reader(bad, "r.json", "thresholds[0]"));
    BOOST_FAIL("accepted a bad operator");
  } catch (const usage_error& e) {
    expect_in(e.what(), "r.json");
    expect_in(e.what(), "thresholds[0].op");
    expect_in(e.what(), "'<<' is not one of <, <=, >, >=, ==, !=");
  }
  for (const char* parts : {
           R"({"expr": "x", "metric": "wall", "statistic": "p95", "level": "", "op": "<", "limit": 1, "unit": "duration"})",
           R"({"expr": "x", "metric": "wall", "statistic": "p95", "op": "<", "limit": 1, "unit": "duration", "form": "percent"})",
           // A size per time is a soak trend's only: from a summary it is not a threshold perfcheck writes.
           R"({"expr": "x", "metric": "rss", "statistic": "growth", "op": "<", "limit": 1, "unit": "rate", "form": "size_per_time", "source": "summary"})"}) {
    BOOST_CHECK_THROW((void)threshold_outcome_from_json(json_reader(boost::json::parse(parts), "r.json")), usage_error);
  }
  const auto no_limit = boost::json::parse(
      R"({"expr": "wall.p95 < 4s", "metric": "wall", "statistic": "p95", "op": "<", "unit": "duration"})");
  BOOST_CHECK_THROW((void)threshold_outcome_from_json(json_reader(no_limit, "r.json")), usage_error);
}

// Rules that the runs could never decide are refused. The figures are worked by hand: the
// smallest two-sided Mann-Whitney p of n against n runs is 2 / C(2n, n) (the two most extreme of
// C(2n, n) equally likely orders): 0.1 at 3, 0.0286 at 4, 0.0079 at 5, 0.0022 at 6; against a
// history's 200 runs, one run gives 2 / 201 = 0.00995. An order-statistic interval of the p95 at
// 99% (each side at sqrt(0.99)) has an upper end once 0.95^n <= (1 - sqrt(0.99)) / 2 = 0.0025063,
// that is from n = 117 (0.95^116 = 0.00261); of the p99 from n = 596.
BOOST_AUTO_TEST_CASE(rules_that_can_never_be_decided_are_refused) {
  run_spec s = spec_of({}, {"wall.median +5%"});
  s.baseline = "command";
  s.baseline_command = {"old"};
  s.min_runs = s.max_runs = 3;
  const std::string three = error_of(s, file);
  expect_in(three, "specs/t.json: test 't': regression rule 'wall.median +5%': the rule can never be decided");
  expect_in(three, "the smallest possible p is 0.1)");
  // RUNS 3 5 looks at 3 and 5 (alpha 0.005 each): 0.0079 is not below it; 3 and 6 is.
  expect_in(three, "raise the most runs to 6 (RUNS 3 6 in add_perf_test");
  expect_in(error_of(s, flags), "raise the most runs to 6 (--runs 3:6)");
  s.min_runs = s.max_runs = 4;
  expect_in(error_of(s, file), "the smallest possible p is 0.0286");
  s.min_runs = s.max_runs = 5;
  BOOST_CHECK_NO_THROW(compile_plan(s, file));

  s.regressions = {"wall.p95 +10%"};
  s.min_runs = s.max_runs = 116;
  expect_in(error_of(s, file), "an interval of the p95 at alpha 0.01 has both ends only from 117 runs a side");
  s.min_runs = s.max_runs = 117;
  BOOST_CHECK_NO_THROW(compile_plan(s, file));

  // A history pools at most 200 runs: a p99 (596 a side) needs a command or a file.
  s.baseline = "history";
  s.baseline_command.clear();
  s.regressions = {"wall.p99 +10%"};
  s.min_runs = s.max_runs = 1000;
  expect_in(error_of(s, file), "only from 596 runs a side, and the test has at most 1000 candidate runs against "
                               "a history baseline of at most 200 runs; compare with a baseline command or file");
  s.baseline = "file";
  s.baseline_file = "base.json";
  BOOST_CHECK_NO_THROW(compile_plan(s, file));  // the file's runs are known when it is read
}

BOOST_AUTO_TEST_CASE(rules_are_checked_with_those_of_their_own_level) {
  // Against a baseline command at 5 runs a side one rule can be decided (2 / 252 < 0.01), two at
  // once cannot (Holm: 2 x 2 / 252 > 0.01). Rules at two different levels are one rule each.
  run_spec s = spec_of({}, {"wall.median@n=1 +5%", "wall.median@n=2 +5%"});
  s.command = {"prog", "{n}"};
  s.parameters = {{"n", {"1", "2"}}};
  s.baseline = "command";
  s.baseline_command = {"old"};
  s.min_runs = s.max_runs = 5;
  BOOST_CHECK_NO_THROW(compile_plan(s, file));
  s.regressions = {"wall.median@n=1 +5%", "cpu.median +5%"};
  expect_in(error_of(s, file), "over 2 rules (the smallest possible p is 0.0159)");
}

BOOST_AUTO_TEST_CASE(one_long_run_against_a_history_has_room_for_one_rule) {
  run_spec s = spec_of({}, {"wall.median +5%"});
  s.once = true;
  BOOST_CHECK_NO_THROW(compile_plan(s, file));  // 2 / 201 < 0.01
  s.regressions = {"wall.median +5%", "cpu.median +5%"};  // Holm: 2 x 2 / 201 > 0.01
  const std::string two = error_of(s, file);
  expect_in(two, "1 candidate run against a history baseline of at most 200 runs can never give p < 0.01 over 2 "
                 "rules (the smallest possible p is 0.0199)");
  expect_in(two, "measure repeated runs (drop DURATION ONCE) or drop the rule");
  s.baseline = "command";  // one run a side: every arrangement is as likely, p is 1 at best
  s.baseline_command = {"old"};
  expect_in(error_of(s, file), "(the smallest possible p is 1)");
}
