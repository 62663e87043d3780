// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The run loop and verdicts with a fake executor: deterministic, no processes.
#define BOOST_TEST_MODULE runner
#include <boost/test/unit_test.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/run/runner.hpp"
#include "fake_executor.hpp"

using namespace perfcheck;
using perfcheck::test::fake_executor;

namespace {

run_sample ms(double wall_ms, int exit_code = 0) {
  run_sample s;
  s.wall_ns = static_cast<std::int64_t>(wall_ms * 1e6);
  s.user_ns = s.wall_ns / 2;
  s.sys_ns = s.wall_ns / 10;
  s.max_rss_bytes = 10 << 20;
  s.exit_code = exit_code;
  return s;
}

run_spec spec_with(int warmup, int min_runs, int max_runs, std::int64_t min_time_ns = 0) {
  run_spec s;
  s.name = "t";
  s.command = {"x"};
  s.warmup = warmup;
  s.min_runs = min_runs;
  s.max_runs = max_runs;
  s.min_time_ns = min_time_ns;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(warmup_runs_are_kept_apart) {
  fake_executor fake({ms(50), ms(10)});
  const auto r = run::run_test(spec_with(1, 5, 5), fake, {});
  BOOST_TEST(fake.calls == 6);
  BOOST_TEST(r.warmup_runs.size() == 1u);
  BOOST_TEST(r.runs.size() == 5u);
  BOOST_TEST(r.summary.at("wall").median == 10e6);
  BOOST_TEST(r.summary.at("wall").max == 10e6);  // the slow warm-up is not in the statistics
  BOOST_TEST(to_string(r.outcome) == std::string("pass"));
}

BOOST_AUTO_TEST_CASE(min_time_extends_past_min_runs_up_to_max) {
  // 10 ms per run; 55 ms of measured time needs 6 runs.
  fake_executor fake({ms(10)});
  auto r = run::run_test(spec_with(0, 3, 100, 55'000'000), fake, {});
  BOOST_TEST(r.runs.size() == 6u);
  // Capped by max_runs, with a warning saying so.
  fake_executor capped({ms(10)});
  r = run::run_test(spec_with(0, 3, 4, 1'000'000'000), capped, {});
  BOOST_TEST(r.runs.size() == 4u);
  BOOST_REQUIRE(!r.warnings.empty());
  BOOST_TEST(r.warnings.back().find("stopped at the maximum of 4 runs") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(first_failed_run_stops_with_error) {
  fake_executor fake({ms(10), ms(10), ms(10, 1), ms(10)});
  const auto r = run::run_test(spec_with(0, 10, 10), fake, {});
  BOOST_TEST(fake.calls == 3);
  BOOST_TEST(to_string(r.outcome) == std::string("error"));
  BOOST_REQUIRE(r.reasons.size() == 1u);
  BOOST_TEST(r.reasons[0] == "run 3 exited with code 1");
}

BOOST_AUTO_TEST_CASE(failed_warmup_stops_before_measuring) {
  fake_executor fake({ms(10, 2), ms(10)});
  const auto r = run::run_test(spec_with(1, 10, 10), fake, {});
  BOOST_TEST(fake.calls == 1);
  BOOST_TEST(r.runs.empty());
  BOOST_TEST(r.reasons.at(0) == "warm-up run 1 exited with code 2");
}

BOOST_AUTO_TEST_CASE(allowed_failures_are_measured_and_gateable) {
  fake_executor fake({ms(10), ms(10, 1)});
  auto spec = spec_with(0, 4, 4);
  spec.allow_failures = true;
  spec.thresholds = {"exit.failures <= 1"};
  const auto r = run::run_test(spec, fake, {});
  BOOST_TEST(r.runs.size() == 4u);
  BOOST_TEST(r.thresholds.at(0).value == 3.0);
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
}

BOOST_AUTO_TEST_CASE(thresholds_gate_the_summary) {
  fake_executor fake({ms(10), ms(12), ms(11), ms(30)});
  auto spec = spec_with(0, 4, 4);
  spec.thresholds = {"wall.median < 20ms", "wall.max < 20ms"};
  const auto r = run::run_test(spec, fake, {});
  BOOST_TEST(to_string(r.outcome) == std::string("failed"));
  BOOST_TEST(r.thresholds.at(0).ok);
  BOOST_TEST(!r.thresholds.at(1).ok);
  BOOST_TEST(r.reasons.at(0) == "wall.max < 20ms: measured 30.0 ms");
}

BOOST_AUTO_TEST_CASE(bad_threshold_throws_before_any_run) {
  fake_executor fake({ms(10)});
  auto spec = spec_with(1, 3, 3);
  spec.thresholds = {"wall.p95 < 3 parsecs"};
  BOOST_CHECK_THROW(run::run_test(spec, fake, {}), usage_error);
  BOOST_TEST(fake.calls == 0);
}

BOOST_AUTO_TEST_CASE(overhead_is_recorded_and_optionally_subtracted) {
  fake_executor fake({ms(10)});
  run::runner_options options;
  options.overhead_ns = 1'000'000;
  auto r = run::run_test(spec_with(0, 3, 3), fake, options);
  BOOST_TEST(r.overhead_ns == 1'000'000);
  BOOST_TEST(!r.overhead_corrected);
  BOOST_TEST(r.summary.at("wall").median == 10e6);
  options.subtract_overhead = true;
  fake_executor again({ms(10)});
  r = run::run_test(spec_with(0, 3, 3), again, options);
  BOOST_TEST(r.overhead_corrected);
  BOOST_TEST(r.summary.at("wall").median == 9e6);
}

BOOST_AUTO_TEST_CASE(progress_is_reported_for_every_run) {
  struct counter : run::progress_listener {
    int warmups = 0, measured = 0, last_planned = 0;
    void run_finished(bool warmup, int, int planned, const run_sample&) override {
      (warmup ? warmups : measured)++;
      last_planned = planned;
    }
  } listener;
  fake_executor fake({ms(10)});
  run::runner_options options;
  options.progress = &listener;
  run::run_test(spec_with(2, 5, 5), fake, options);
  BOOST_TEST(listener.warmups == 2);
  BOOST_TEST(listener.measured == 5);
  BOOST_TEST(listener.last_planned == 5);
}

BOOST_AUTO_TEST_CASE(safe_file_stems_never_collide) {
  BOOST_TEST(run::safe_file_stem("parse_json-1.0") == "parse_json-1.0");
  const auto a = run::safe_file_stem("a b");
  const auto b = run::safe_file_stem("a_b");
  BOOST_TEST(a != b);
  BOOST_TEST(a.starts_with("a_b-"));
  BOOST_TEST(run::safe_file_stem("../../etc/passwd").find('/') == std::string::npos);
  BOOST_TEST(!run::safe_file_stem("..").starts_with("."));
}

BOOST_AUTO_TEST_CASE(a_follow_up_is_promised_only_for_runs_certain_to_follow) {
  // 2 warm-ups, then at least 3 runs: the promises cover the warm-ups (the second is followed
  // by the first measured run) and the measured runs short of 3; after run 3 the schedule may
  // be met (here it is), so no promise is made for it.
  fake_executor fake({ms(10)});
  auto r = run::run_test(spec_with(2, 3, 10), fake, {});
  BOOST_TEST(fake.calls == 5);
  BOOST_TEST(r.runs.size() == 3u);
  BOOST_TEST((fake.follow_ups == std::vector<int>{0, 1, 2, 3}));
  BOOST_TEST(!fake.last_follow_up_failures_allowed);
  // A fixed count without warm-ups: every run but the last.
  fake_executor fixed({ms(10)});
  r = run::run_test(spec_with(0, 4, 4), fixed, {});
  BOOST_TEST((fixed.follow_ups == std::vector<int>{0, 1, 2}));
  // min_time extends past min_runs, but only as it goes: runs 3 to 5 get no promise.
  fake_executor timed({ms(10)});
  r = run::run_test(spec_with(0, 3, 100, 55'000'000), timed, {});
  BOOST_TEST(r.runs.size() == 6u);
  BOOST_TEST((timed.follow_ups == std::vector<int>{0, 1}));
}

BOOST_AUTO_TEST_CASE(a_follow_up_promise_says_whether_failures_are_allowed) {
  fake_executor fake({ms(10), ms(10, 1)});
  auto spec = spec_with(0, 3, 3);
  spec.allow_failures = true;
  run::run_test(spec, fake, {});
  BOOST_TEST((fake.follow_ups == std::vector<int>{0, 1}));
  BOOST_TEST(fake.last_follow_up_failures_allowed);
}
