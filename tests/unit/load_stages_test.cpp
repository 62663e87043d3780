// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The stages of an open-model load run: the parser (good forms and the exact refusals), the
// schedule of a constant stage and of a ramp, the merge of the stages' reports, and a staged
// run's result built from made-up reports: one level per stage, each judged by its own gates.
#define BOOST_TEST_MODULE load_stages
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "error_text.hpp"
#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/load/load_spec.hpp"
#include "perfcheck/load/load_stages.hpp"
#include "perfcheck/load/staged_result.hpp"
#include "perfcheck/model/error.hpp"

using namespace perfcheck;
using namespace perfcheck::load;
using perfcheck_test::error_text;

namespace {

std::string refusal(const std::string& text) {
  return error_text<usage_error>([&] { parse_stages(text, "--stages"); });
}

// A stage's report: `n` requests started and answered, each taking `latency_ms`.
load_report report_of(int n, double latency_ms, int status_errors = 0) {
  load_report r;
  for (int i = 0; i < n; ++i) {
    r.latency.record(static_cast<std::int64_t>(latency_ms * 1e6));
    r.service.record(static_cast<std::int64_t>(latency_ms * 1e6));
    r.lag.record(10'000);
  }
  r.started = r.responses = n;
  r.errors_of(error_kind::status) = status_errors;
  r.wall_ns = 1'000'000'000;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(constant_stages_and_ramps_are_read_as_written) {
  const auto stages = parse_stages("  10s:50/s 30s:200/s\t5s:1000/s 30s:200/s 20s:50/s..200/s 1min:10/s..0/s ", "--stages");
  BOOST_TEST_REQUIRE(stages.size() == 6u);
  BOOST_TEST(stages[0].duration_ns == 10'000'000'000);
  BOOST_TEST(stages[0].rate == 50.0);
  BOOST_TEST(stages[0].end_rate == 50.0);
  BOOST_TEST(stages[2].rate == 1000.0);
  BOOST_TEST(stages[2].text == "5s:1000/s");
  BOOST_TEST(stages[4].rate == 50.0);
  BOOST_TEST(stages[4].end_rate == 200.0);
  BOOST_TEST(stages[5].duration_ns == 60'000'000'000);
  BOOST_TEST(stages[5].end_rate == 0.0);
  BOOST_TEST(stages_text(stages) == "10s:50/s 30s:200/s 5s:1000/s 30s:200/s 20s:50/s..200/s 1min:10/s..0/s");
  BOOST_TEST(parse_stages("1min:2/min..120/min", "x").front().end_rate == 2.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_bad_stage_is_refused_naming_it_and_the_form) {
  const std::string form = "; write DURATION:RATE/s, e.g. 10s:50/s (a constant rate) or 20s:50/s..200/s (a linear ramp)";
  BOOST_TEST(refusal("10s:50/s 30s-200/s") == "--stages: stage 2 '30s-200/s' has no ':' between its duration and its rate" + form);
  BOOST_TEST(refusal("10s:50") == "--stages: stage 1 '10s:50' has '50' where a rate such as 50/s goes" + form);
  BOOST_TEST(refusal("10s:50/s 50/s:10s") ==
             "--stages: stage 2 '50/s:10s' has a bad duration: '50/s' is not a duration; use one of ns, us, ms, s, min, h (e.g. 250ms)" + form);
  BOOST_TEST(refusal("0s:50/s") == "--stages: stage 1 '0s:50/s' has a duration of 0; a stage lasts some time" + form);
  BOOST_TEST(refusal("1s:20000000/s") == "--stages: stage 1 '1s:20000000/s' has a rate of 20000000/s above 10000000/s" + form);
  BOOST_TEST(refusal("1s:50/s 500ms:1/s") ==
             "--stages: stage 2 '500ms:1/s' starts no request (500 ms at 1/s on average); make it longer or its rate higher" + form);
  BOOST_TEST(refusal("1s:0/s") ==
             "--stages: stage 1 '1s:0/s' starts no request (1.00 s at 0/s on average); make it longer or its rate higher" + form);
  BOOST_TEST(refusal("10s:50/s..") .starts_with("--stages: stage 1 '10s:50/s..' has a bad rate: "));
  BOOST_TEST(refusal(" \t") == "--stages: no stage given" + form + ", several separated by spaces: '10s:50/s 5s:1000/s 30s:50/s'");
  std::string many;
  for (int i = 0; i <= 1000; ++i) many += "1s:1/s ";
  BOOST_TEST(refusal(many) == "--stages: more than 1000 stages; each stage is a level of the result");
}

BOOST_AUTO_TEST_CASE(a_constant_stage_starts_evenly_and_a_ramp_ever_faster) {
  const load_stage constant{2'000'000'000, 50, 50, "2s:50/s"};
  BOOST_TEST(stage_starts(constant) == 100);
  BOOST_TEST(stage_offset_ns(constant, 0) == 0);
  BOOST_TEST(stage_offset_ns(constant, 1) == 20'000'000);
  BOOST_TEST(stage_offset_ns(constant, 99) == 1'980'000'000);
  // 0/s to 100/s over 2 s: 100 starts; the k-th at t with 25 t^2 = k, t = sqrt(k / 25).
  const load_stage ramp{2'000'000'000, 0, 100, "2s:0/s..100/s"};
  BOOST_TEST(stage_starts(ramp) == 100);
  BOOST_TEST(stage_offset_ns(ramp, 0) == 0);
  BOOST_TEST(stage_offset_ns(ramp, 25) == 1'000'000'000);
  BOOST_TEST(stage_offset_ns(ramp, 100) == 2'000'000'000);
  // Falling, 100/s to 0/s: the same gaps backwards (the 75th start where the rising ramp's 25th ends).
  const load_stage falling{2'000'000'000, 100, 0, "2s:100/s..0/s"};
  BOOST_TEST(stage_offset_ns(falling, 75) == 1'000'000'000);
  BOOST_TEST(stage_offset_ns(falling, 100) == 2'000'000'000);
  for (std::int64_t k = 1; k < 100; ++k) {
    BOOST_TEST(stage_offset_ns(ramp, k + 1) - stage_offset_ns(ramp, k) < stage_offset_ns(ramp, k) - stage_offset_ns(ramp, k - 1));
  }
  BOOST_TEST(to_string(stage_level(0)) == "stage=1");
  BOOST_TEST(to_string(stage_level(11)) == "stage=12");
}

BOOST_AUTO_TEST_CASE(the_stages_reports_merge_into_the_whole_run) {
  auto a = report_of(10, 5), b = report_of(30, 50, 3);
  a.dropped = 2;
  b.begin_ns = 2'000'000'000;
  const load_report whole = merge_reports({a, b});
  BOOST_TEST(whole.started == 40);
  BOOST_TEST(whole.responses == 40);
  BOOST_TEST(whole.dropped == 2);
  BOOST_TEST(whole.errors_of(error_kind::status) == 3);
  BOOST_TEST(whole.latency.count() == 40u);
  BOOST_TEST(whole.wall_ns == 3'000'000'000);  // the second stage's start + its wall time
}

BOOST_AUTO_TEST_CASE(each_stage_is_a_level_judged_by_its_own_gates) {
  // Sustained (5 ms), a burst (900 ms, beyond the gate) and the recovery (6 ms): a gate without
  // '@' at every stage fails only the burst; one at stage 3 is checked there only.
  run_result whole;
  whole.name = "api";
  whole.command = {"perfcheck", "load"};
  whole.metadata["stages"] = "10s:50/s 5s:1000/s 30s:50/s";
  whole.summary["cpu"].n = 1;
  const auto thresholds = gate::parse_thresholds(
      {"latency.p99 < 200ms", "latency.p99@stage=3 < 10ms", "errors.count == 0"}, "--threshold");
  add_stage_points(whole, {report_of(500, 5), report_of(5000, 900), report_of(1500, 6)}, thresholds, "http://x/");
  BOOST_TEST_REQUIRE(whole.points.size() == 3u);
  BOOST_TEST(to_string(whole.points[1].at) == "stage=2");
  BOOST_TEST((whole.points[0].outcome == verdict::pass));
  BOOST_TEST((whole.points[1].outcome == verdict::failed));
  BOOST_TEST((whole.points[2].outcome == verdict::pass));
  BOOST_TEST((whole.outcome == verdict::failed));
  BOOST_TEST(whole.points[1].summary.at("requests").median == 5000.0);
  BOOST_TEST(whole.points[2].summary.at("latency").n == 1500u);
  BOOST_TEST(whole.thresholds.size() == 7u);  // two gates at stages 1 and 2, three at stage 3
  BOOST_TEST(whole.thresholds.back().at == "stage=3");
  BOOST_TEST(whole.thresholds.back().expr.text == "errors.count == 0");
  BOOST_TEST_REQUIRE(whole.reasons.size() == 1u);
  BOOST_TEST(whole.reasons.front().starts_with("stage=2: latency.p99 < 200ms: measured 9"));
  BOOST_TEST(whole.command.size() == 2u);
  BOOST_TEST(whole.summary.count("cpu") == 1u);  // the generator's cost stays the whole run's
  BOOST_TEST(whole.metadata.at("stages") == "10s:50/s 5s:1000/s 30s:50/s");
}

BOOST_AUTO_TEST_CASE(a_stage_with_failed_requests_or_no_response_is_judged_on_its_own) {
  run_result whole;
  whole.name = "api";
  const auto thresholds = gate::parse_thresholds({"errors.count == 0"}, "--threshold");
  load_report silent;
  silent.started = 4;
  silent.errors_of(error_kind::connect) = 4;
  add_stage_points(whole, {report_of(10, 1, 2), silent, report_of(10, 1)}, thresholds, "http://127.0.0.1:9/");
  BOOST_TEST((whole.points[0].outcome == verdict::failed));
  BOOST_TEST((whole.points[1].outcome == verdict::error));
  BOOST_TEST((whole.points[2].outcome == verdict::pass));
  BOOST_TEST((whole.outcome == verdict::error));
  BOOST_TEST(std::count(whole.warnings.begin(), whole.warnings.end(), "stage=1: failed requests: 2 status") == 1);
  BOOST_TEST(std::count(whole.reasons.begin(), whole.reasons.end(),
                        "stage=2: no response from http://127.0.0.1:9/ (4 connect); is the server running?") == 1);
}

BOOST_AUTO_TEST_CASE(a_gate_at_a_stage_the_run_does_not_have_is_refused) {
  const auto at = [](const std::string& t, std::size_t stages) {
    return error_text<usage_error>([&] { check_stage_levels(gate::parse_thresholds({t}, "--threshold"), stages, "--threshold"); });
  };
  BOOST_TEST(at("latency.p99@stage=2 < 1s", 3) == "(no error)");
  BOOST_TEST(at("latency.p99@2 < 1s", 3) == "(no error)");
  BOOST_TEST(at("latency.p99 < 1s", 0) == "(no error)");
  BOOST_TEST(at("latency.p99@stage=4 < 1s", 3) ==
             "--threshold 'latency.p99@stage=4 < 1s': the test has no level stage=4 (the values of stage are 1, 2, 3)");
  BOOST_TEST(at("latency.p99@rate=4 < 1s", 3) ==
             "--threshold 'latency.p99@rate=4 < 1s': the test has no parameter 'rate' (its parameters are stage)");
  BOOST_TEST(at("latency.p99@stage=1 < 1s", 0) ==
             "--threshold 'latency.p99@stage=1 < 1s': a run without stages measures one point; give --stages (e.g. "
             "'10s:50/s 5s:1000/s 30s:50/s', each stage a level stage=1, stage=2 ...) or write the threshold without '@stage=1'");
}

BOOST_AUTO_TEST_CASE(stages_go_without_a_rate_duration_or_request_count) {
  load_spec spec;
  spec.target = parse_target("http://127.0.0.1:1/", "test");
  spec.stages = parse_stages("1s:10/s", "--stages");
  BOOST_CHECK_NO_THROW(check_spec(spec));
  const std::string message =
      "load: --stages goes without --rate, --duration and --requests: each stage gives its own duration and rate "
      "(e.g. --stages '10s:50/s 5s:1000/s 30s:50/s')";
  spec.rate = 5;
  BOOST_TEST(error_text<usage_error>([&] { check_spec(spec); }) == message);
  spec.rate = 0;
  spec.duration_ns = 1;
  BOOST_TEST(error_text<usage_error>([&] { check_spec(spec); }) == message);
  spec.duration_ns = 0;
  spec.requests = 3;
  BOOST_TEST(error_text<usage_error>([&] { check_spec(spec); }) == message);
}
