// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE threshold
#include <boost/test/unit_test.hpp>

#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/model/error.hpp"

using namespace perfcheck;
using namespace perfcheck::gate;

BOOST_AUTO_TEST_CASE(parses_metric_statistic_operator_and_value) {
  const auto e = parse_threshold("wall.p95 < 120ms");
  BOOST_TEST(e.metric == "wall");
  BOOST_TEST(e.statistic == "p95");
  BOOST_TEST((e.op == comparison::less));
  BOOST_TEST(e.limit == 120e6);
  BOOST_TEST((e.kind == unit_kind::duration));
  BOOST_TEST(!e.level.has_value());

  const auto m = parse_threshold("rss.max<=64MiB");
  BOOST_TEST(m.metric == "rss");
  BOOST_TEST((m.op == comparison::less_equal));
  BOOST_TEST(m.limit == 64.0 * 1024 * 1024);

  const auto f = parse_threshold("  exit.failures == 0 ");
  BOOST_TEST(f.metric == "exit");
  BOOST_TEST(f.statistic == "failures");
  BOOST_TEST((f.op == comparison::equal));

  BOOST_TEST((parse_threshold("cpu.median >= 1ms").op == comparison::greater_equal));
  BOOST_TEST((parse_threshold("user.mean > 1ms").op == comparison::greater));
  BOOST_TEST((parse_threshold("sys.stddev != 0ns").op == comparison::not_equal));
  const auto lv = parse_threshold("wall.p99@16 < 2s");
  BOOST_TEST(lv.level.value_or("") == "16");
  BOOST_TEST(lv.subject() == "wall.p99@16");
  const auto two = parse_threshold("wall.median@ms=4,mode=b < 10s");
  BOOST_TEST(two.level.value_or("") == "ms=4,mode=b");
  BOOST_TEST(two.limit == 10e9);
}

void expect_error(const std::string& text, const std::string& part) {
  try {
    parse_threshold(text);
    BOOST_ERROR("accepted '" << text << "'");
  } catch (const usage_error& e) {
    const std::string msg = e.what();
    BOOST_TEST_INFO("message: " << msg);
    BOOST_TEST(msg.find("'" + text) != std::string::npos);  // quotes the expression
    BOOST_TEST(msg.find(part) != std::string::npos);
    BOOST_TEST(msg.find("Thresholds are written") != std::string::npos);  // lists the forms
  }
}

BOOST_AUTO_TEST_CASE(bad_expressions_quote_the_text_and_explain) {
  expect_error("walltime.p95 < 1s", "unknown metric 'walltime'");
  expect_error("wall.p42 < 1s", "unknown statistic 'p42'");
  expect_error("wall < 1s", "has no statistic");
  expect_error("wall.p95 1s", "does not start with an operator");
  expect_error("wall.p95 <", "value is missing");
  expect_error("wall.p95 < 120", "needs a unit");
  expect_error("wall.p95 < 64MiB", "is a size but wall.p95 is a duration");
  expect_error("rss.max < 10ms", "is a duration but rss.max is a size");
  expect_error("wall.p95 < 12parsecs", "unknown unit 'parsecs'");
  expect_error("wall.p95@ < 1s", "must be followed by a level");
  expect_error("< 1s", "does not start with a metric");
  expect_error("wall.ci_low < 1s", "unknown statistic 'ci_low'");
  // A rate over no time, and a fraction of a whole count.
  expect_error("rss.slope < 1MiB/0s", "'1MiB/0s' divides by a time of 0");
  expect_error("rss.slope > 0B/0s", "'0B/0s' divides by a time of 0");
  expect_error("rss.slope < 1MiB/0min", "divides by a time of 0");
  expect_error("exit.failures == 0.5", "'0.5' is not a whole number, but exit.failures counts whole events");
  expect_error("faults.minor < 10.5", "'10.5' is not a whole number");
  expect_error("leaked.processes.max <= 1.5", "is not a whole number");
}

BOOST_AUTO_TEST_CASE(rates_take_a_counted_time_and_counts_a_fractional_statistic) {
  BOOST_TEST(parse_threshold("rss.slope < 1MiB/min").limit == parse_threshold("rss.slope < 10MiB/10min").limit);
  BOOST_TEST(parse_threshold("rss.slope < 1MiB/s").limit == 1024.0 * 1024);
  BOOST_TEST(parse_threshold("faults.minor.median < 10.5").limit == 10.5);
  BOOST_TEST(parse_threshold("exit.failures <= 2").limit == 2);
}

run_result result_with(std::vector<run_sample> runs) {
  run_result r;
  r.runs = std::move(runs);
  metric_summary wall;
  wall.n = r.runs.size();
  wall.p95 = 100e6;
  wall.median = 80e6;
  r.summary["wall"] = wall;
  metric_summary rss;
  rss.n = r.runs.size();
  rss.max = 70.0 * 1024 * 1024;
  r.summary["rss"] = rss;
  return r;
}

run_sample ok_run() {
  run_sample s;
  s.exit_code = 0;
  return s;
}

BOOST_AUTO_TEST_CASE(cpu_utilization_is_a_percentage_and_threads_a_count) {
  const auto u = parse_threshold("cpu.util.median >= 150%");
  BOOST_TEST(u.metric == "cpu.util");
  BOOST_TEST(u.statistic == "median");
  BOOST_TEST(u.limit == 1.5);
  BOOST_TEST((u.form == value_form::percent));
  BOOST_TEST(format_threshold_limit(u) == "150%");
  const auto t = parse_threshold("threads.max <= 8");
  BOOST_TEST(t.metric == "threads");
  BOOST_TEST(t.statistic == "max");
  BOOST_TEST(t.limit == 8);
  BOOST_TEST(parse_threshold("threads < 9").statistic == "max");  // bare: the worst run
  const auto g = parse_threshold("threads.growth < 10%");
  BOOST_TEST(g.metric == "threads");
  BOOST_TEST(g.statistic == "growth");
  BOOST_TEST((g.source == subject_source::soak));
  BOOST_TEST(g.limit == 0.1);
  expect_error("cpu.util < 50%", "'cpu.util' has no statistic; write e.g. 'cpu.util.median'");
  expect_error("cpu.util.median < 1.5", "'1.5' needs a unit: cpu.util.median is a percentage");
  expect_error("threads.max < 10%", "percentages go with cpu.util, efficiency, errors.rate, rss.growth, threads.growth and wall.drift");
  expect_error("threads.max < 2.5", "'2.5' is not a whole number");
}

BOOST_AUTO_TEST_CASE(cpu_utilization_and_threads_come_from_the_runs) {
  run_sample a = ok_run(), b = ok_run();
  a.wall_ns = 100;
  a.user_ns = 120;
  a.sys_ns = 30;  // 150%
  a.threads_max = 3;
  b.wall_ns = 200;
  b.user_ns = 50;  // 25%
  b.threads_max = 7;
  auto columns = metric_columns({a, b});
  BOOST_TEST((columns.at("cpu.util") == std::vector<double>{1.5, 0.25}));
  BOOST_TEST((columns.at("threads") == std::vector<double>{3, 7}));
  // One run the sampler never saw: no thread column at all, rather than a run of "0 threads".
  b.threads_max = 0;
  columns = metric_columns({a, b});
  BOOST_TEST(!columns.contains("threads"));
  auto r = result_with({a, b});
  apply_verdict(r, parse_thresholds({"threads.max <= 8"}, "t"), false);
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_TEST(r.reasons.at(0) == "threads.max <= 8: threads.max was not measured");
}

BOOST_AUTO_TEST_CASE(verdict_pass_when_all_thresholds_hold) {
  auto r = result_with({ok_run(), ok_run()});
  apply_verdict(r, parse_thresholds({"wall.p95 < 120ms", "exit.failures == 0"}, "test"), false);
  BOOST_TEST(to_string(r.outcome) == std::string("pass"));
  BOOST_TEST(r.reasons.empty());
  BOOST_REQUIRE(r.thresholds.size() == 2u);
  BOOST_TEST(r.thresholds[0].ok);
  BOOST_TEST(r.thresholds[0].value == 100e6);
}

BOOST_AUTO_TEST_CASE(verdict_failed_with_one_reason_per_violation) {
  auto r = result_with({ok_run(), ok_run()});
  apply_verdict(r, parse_thresholds({"wall.p95 < 90ms", "rss.max < 64MiB", "wall.median < 1s"}, "t"),
                false);
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_REQUIRE(r.reasons.size() == 2u);
  BOOST_TEST(r.reasons[0] == "wall.p95 < 90ms: measured 100 ms");
  BOOST_TEST(r.reasons[1] == "rss.max < 64MiB: measured 70.0 MiB");
  BOOST_TEST(!r.thresholds[0].ok);
  BOOST_TEST(r.thresholds[2].ok);
}

BOOST_AUTO_TEST_CASE(failed_runs_give_error_unless_allowed) {
  run_sample crashed;
  crashed.signal = 11;
  run_sample exited;
  exited.exit_code = 2;
  auto r = result_with({ok_run(), crashed, exited});
  apply_verdict(r, parse_thresholds({"wall.p95 < 120ms"}, "t"), false);
  BOOST_TEST(to_string(r.outcome) == std::string("error"));
  BOOST_REQUIRE(r.reasons.size() == 2u);
  BOOST_TEST(r.reasons[0] == "run 2 was killed by SIGSEGV");
  BOOST_TEST(r.reasons[1] == "run 3 exited with code 2");

  auto allowed = result_with({ok_run(), crashed, exited});
  apply_verdict(allowed, parse_thresholds({"exit.failures <= 2"}, "t"), true);
  BOOST_TEST(to_string(allowed.outcome) == std::string("pass"));
  BOOST_TEST(allowed.thresholds[0].value == 2.0);
  apply_verdict(allowed, parse_thresholds({"exit.failures == 0"}, "t"), true);
  BOOST_TEST(to_string(allowed.outcome) == std::string("failed"));
}

BOOST_AUTO_TEST_CASE(parse_thresholds_prefixes_the_origin) {
  try {
    parse_thresholds({"wall.p95 < 1s", "wall.p95 < 1 fortnight"}, "spec.json");
    BOOST_ERROR("accepted");
  } catch (const usage_error& e) {
    BOOST_TEST(std::string(e.what()).starts_with("spec.json: bad threshold 'wall.p95 < 1 fortnight'"));
  }
}
