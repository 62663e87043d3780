// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A wrk client (CLIENT wrk): wrk's summary into a run's load metrics, the test's error figures,
// the thresholds and rules a wrk client's plan takes, and the errors for output and plans that
// do not fit.
#define BOOST_TEST_MODULE wrk_intake
#include <boost/test/unit_test.hpp>

#include <string>

#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/wrk_intake.hpp"
#include "error_text.hpp"

using namespace perfcheck;
using perfcheck_test::error_text;
namespace tt = boost::test_tools;

namespace {

// Real output of wrk 4.1.0 (Debian 12), `wrk -t2 -c300 -d2s --timeout 1s --latency URL` against a
// slow server (the same text as wrk_output_test's): one timeout among 150 responses.
const char* with_timeout = R"(Running 2s test @ http://127.0.0.1:18083/
  2 threads and 300 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   134.16ms  154.33ms 992.42ms   93.96%
    Req/Sec    37.16     21.96   120.00     71.05%
  Latency Distribution
     50%  100.33ms
     75%  139.72ms
     90%  187.05ms
     99%  986.32ms
  150 requests in 2.08s, 2.77MB read
  Socket errors: connect 0, read 0, write 0, timeout 1
Requests/sec:     71.96
Transfer/sec:      1.33MB
)";

// `wrk -t1 -c2 -d1s URL/nope` (wrk 4.1.0): every response a 404; no --latency.
const char* bad_status = R"(Running 1s test @ http://127.0.0.1:18081/nope
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.27ms    4.66ms  39.97ms   91.88%
    Req/Sec   849.60    190.17     1.18k    80.00%
  847 requests in 1.00s, 430.30KB read
  Non-2xx or 3xx responses: 847
Requests/sec:    843.99
Transfer/sec:    428.77KB
)";

double value_of(const run_sample& s, const std::string& name) { return s.reported.at(name).values.at(0); }

run_sample read(const char* output) {
  run_sample s;
  run::take_wrk_output(output, "api_load", "run 1", "", s);
  return s;
}

run_spec wrk_spec(std::vector<std::string> thresholds, std::vector<std::string> rules = {}) {
  run_spec s;
  s.name = "api_load";
  s.command = {"wrk", "-t1", "-c2", "-d1s", "--latency", "http://127.0.0.1:8080/"};
  s.client = "wrk";
  s.thresholds = std::move(thresholds);
  s.regressions = std::move(rules);
  return s;
}

const spec_origin file{"specs/api_load.json", false};

}  // namespace

BOOST_AUTO_TEST_CASE(a_run_gets_wrks_figures_under_the_load_metric_names) {
  const run_sample s = read(with_timeout);
  BOOST_TEST(value_of(s, "latency.p50") == 100.33e6, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "latency.p75") == 139.72e6, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "latency.p90") == 187.05e6, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "latency.p99") == 986.32e6, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "latency.max") == 992.42e6, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "latency.mean") == 134.16e6, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "throughput") == 71.96, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "requests") == 150);
  BOOST_TEST(value_of(s, "errors.count") == 1);
  BOOST_TEST(value_of(s, "errors.rate") == 1.0 / 151, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "transfer") == 2.77 * 1024 * 1024, tt::tolerance(1e-9));
  BOOST_TEST((s.reported.at("latency.p99").kind == unit_kind::duration));
  BOOST_TEST((s.reported.at("throughput").kind == unit_kind::rate));
  BOOST_TEST(s.reported.at("errors.rate").percent);
  BOOST_TEST((s.reported.at("transfer").kind == unit_kind::size));
}

BOOST_AUTO_TEST_CASE(without_latency_there_are_no_percentiles_and_bad_statuses_are_errors) {
  const run_sample s = read(bad_status);
  BOOST_TEST(!s.reported.contains("latency.p99"));
  BOOST_TEST(!s.reported.contains("latency.p50"));
  BOOST_TEST(value_of(s, "latency.max") == 39.97e6, tt::tolerance(1e-9));
  BOOST_TEST(value_of(s, "errors.count") == 847);
  BOOST_TEST(value_of(s, "errors.rate") == 1.0);
}

BOOST_AUTO_TEST_CASE(output_that_is_not_wrks_summary_is_a_command_error_naming_test_run_and_line) {
  std::string truncated = with_timeout;
  truncated.resize(truncated.find("  150 requests"));
  const std::string e = error_text<command_error>(
      [&] { run_sample s; run::take_wrk_output(truncated, "api_load", "run 3", "out/api_load.stdout", s); });
  BOOST_TEST(e.find("test 'api_load' (CLIENT wrk)") != std::string::npos, e);
  BOOST_TEST(e.find("wrk's output of run 3") != std::string::npos, e);
  BOOST_TEST(e.find("no wrk summary") != std::string::npos, e);
  BOOST_TEST(e.find("Running 2s test @ http://127.0.0.1:18083/") != std::string::npos, e);
  BOOST_TEST(e.find("kept in out/api_load.stdout") != std::string::npos, e);

  std::string garbled = with_timeout;
  garbled.replace(garbled.find("986.32ms"), 8, "986.32xx");
  const std::string g = error_text<command_error>(
      [&] { run_sample s; run::take_wrk_output(garbled, "api_load", "run 1", "", s); });
  BOOST_TEST(g.find("line 10: '99%  986.32xx'") != std::string::npos, g);
  BOOST_TEST(g.find("kept in") == std::string::npos, g);
}

BOOST_AUTO_TEST_CASE(errors_are_the_whole_tests_as_in_a_concurrency_level) {
  run_result r;
  r.runs = {read(with_timeout), read(bad_status), read(with_timeout)};
  r.summary["errors.count"] = {};  // the per-run summary that summarize_runs made is replaced
  run::summarize_wrk_errors(r);
  BOOST_TEST(r.summary.at("errors.count").max == 1 + 847 + 1);
  BOOST_TEST(r.summary.at("errors.rate").max == (1 + 847 + 1) / (151.0 + 847 + 151), tt::tolerance(1e-12));
  BOOST_TEST(r.summary.at("errors.rate").median == r.summary.at("errors.rate").max);
  BOOST_TEST(r.summary.at("errors.count").n == 3u);

  // The threshold "errors.rate" reads those figures, not the runs' exit statuses.
  const threshold_expr rate = parse_threshold("errors.rate < 1%");
  BOOST_TEST(gate::measured_value(rate, r).value() == r.summary.at("errors.rate").max);
  const threshold_expr count = parse_threshold("errors.count == 0");
  BOOST_TEST(gate::measured_value(count, r).value() == 849);
}

BOOST_AUTO_TEST_CASE(a_wrk_plan_takes_the_load_metrics_by_the_names_the_concurrency_levels_use) {
  const test_plan p = compile_plan(
      wrk_spec({"latency.p99 < 20ms", "latency.max < 1s", "throughput.median >= 500/s", "errors.rate == 0%",
                "errors.count == 0", "requests.min >= 100", "transfer.median > 1KiB", "latency.p90.max < 50ms"},
               {"latency.p99 +10%", "latency.median +10%", "throughput.median -5%"}),
      file);
  BOOST_TEST(p.thresholds[0].metric == "latency.p99");
  BOOST_TEST(p.thresholds[0].statistic == "median");  // bare: the median over the runs
  BOOST_TEST(p.thresholds[1].statistic == "max");     // the slowest request of every run
  BOOST_TEST(p.thresholds[7].metric == "latency.p90");
  BOOST_TEST(p.thresholds[7].statistic == "max");
  BOOST_TEST(p.regressions[0].metric == "latency.p99");
  BOOST_TEST(p.regressions[0].statistic == "median");
  BOOST_TEST(p.regressions[1].metric == "latency.p50");
  BOOST_TEST(p.regressions[2].metric == "throughput");
}

BOOST_AUTO_TEST_CASE(plans_that_do_not_fit_a_wrk_client_are_refused_with_the_fix) {
  auto error_of = [](run_spec s) { return error_text<usage_error>([&] { (void)compile_plan(s, file); }); };
  run_spec no_latency = wrk_spec({"latency.p99 < 20ms"});
  no_latency.command = {"wrk", "-d1s", "http://127.0.0.1:8080/"};
  BOOST_TEST(error_of(no_latency).find("latency.p99 is read from wrk's latency distribution, which wrk prints "
                                       "only with --latency; add --latency") != std::string::npos, error_of(no_latency));
  no_latency.thresholds = {"latency.max < 1s"};  // wrk prints the maximum without --latency
  BOOST_CHECK_NO_THROW((void)compile_plan(no_latency, file));

  run_spec plain = wrk_spec({"latency.p99 < 20ms"});
  plain.client.clear();
  BOOST_TEST(error_of(plain).find("specs/api_load.json: test 'api_load': threshold 'latency.p99 < 20ms': latency.p99 "
                                  "is read from a load client's output; add CLIENT wrk") != std::string::npos, error_of(plain));
  plain.thresholds = {"throughput.median >= 5/s"};  // still a concurrency metric without the client
  BOOST_TEST(error_of(plain).find("measured only by a concurrency test") != std::string::npos, error_of(plain));

  run_spec other = wrk_spec({});
  other.client = "ab";
  BOOST_TEST(error_of(other).find("test 'api_load': client: 'ab' is not a client perfcheck reads; the one it knows "
                                  "is wrk") != std::string::npos, error_of(other));
  run_spec shown = wrk_spec({});
  shown.show_output = true;
  BOOST_TEST(error_of(shown).find("perfcheck reads wrk's output, so it cannot be shown") != std::string::npos);
  run_spec copies = wrk_spec({});
  copies.concurrency = {"1", "2"};
  BOOST_TEST(error_of(copies).find("give wrk its connections (-c) instead of CONCURRENCY") != std::string::npos);
}
