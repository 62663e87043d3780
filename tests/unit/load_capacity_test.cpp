// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The capacity search of perfcheck load: the range parser and its refusals, the order of the
// steps against a made-up server of known capacity (worked out by hand below), why a step breaks,
// and the result: a level per step by rate, the capacity metric and its gate deciding the verdict.
#define BOOST_TEST_MODULE load_capacity
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "error_text.hpp"
#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/load/capacity.hpp"
#include "perfcheck/model/error.hpp"

using namespace perfcheck;
using namespace perfcheck::load;
using perfcheck_test::error_text;

namespace {

// One second at `rate`: a server of capacity `capacity` answers min(rate, capacity) per second,
// quickly while it keeps up, and with a queue growing to (rate - capacity) requests when it does not.
load_report served(double rate, double capacity) {
  load_report r;
  const auto n = static_cast<std::int64_t>(std::min(rate, capacity));
  const double queue_ms = rate > capacity ? (rate - capacity) / capacity * 1000 : 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto ns = static_cast<std::int64_t>((2 + queue_ms * static_cast<double>(i) / static_cast<double>(n)) * 1e6);
    r.latency.record(ns);
    r.service.record(2'000'000);
    r.lag.record(10'000);
  }
  r.started = static_cast<std::int64_t>(rate);
  r.responses = n;
  r.wall_ns = 1'000'000'000;
  return r;
}

std::vector<double> rates_of(const capacity_search& s) {
  std::vector<double> out;
  for (const auto& step : s.steps) out.push_back(step.rate);
  return out;
}

capacity_search search_against(double capacity, capacity_range range, const std::vector<threshold_expr>& gates) {
  return search_capacity(
      range, [&](double rate) { return served(rate, capacity); },
      [&](double rate, const load_report& r) { return step_problem(rate, r, gates); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_range_is_read_and_bad_ones_refused) {
  const auto r = parse_capacity("50/s..5000/s", "--capacity");
  BOOST_TEST(r.from == 50);
  BOOST_TEST(r.to == 5000);
  const std::string form = "write FROM/s..TO/s, e.g. --capacity 50/s..5000/s";
  BOOST_TEST(error_text<usage_error>([] { parse_capacity("50/s", "--capacity"); }) ==
             "--capacity '50/s': no '..' between the rates; " + form);
  BOOST_TEST(error_text<usage_error>([] { parse_capacity("500/s..50/s", "--capacity"); }) ==
             "--capacity '500/s..50/s': the first rate must be below the second; " + form);
  BOOST_TEST(error_text<usage_error>([] { parse_capacity("50ms..5000/s", "--capacity"); }) ==
             "--capacity '50ms..5000/s': '50ms' is not a rate from 1/s to 10000000/s; " + form);
}

BOOST_AUTO_TEST_CASE(the_search_doubles_then_halves_the_gap_to_the_known_capacity) {
  // Capacity 730/s, the gate "served at least 95%": doubling from 50 holds 50 ... 400 and breaks
  // at 800 (730 < 760); then 600 holds, 700 holds, 750 holds (730 >= 712.5), 775 breaks, and
  // 775 is within 5% of 750: the capacity is 750/s, 2.7% above the true 730 (the 95% criterion).
  capacity_range range{50, 5000};
  const auto found = search_against(730, range, {});
  BOOST_TEST(rates_of(found) == (std::vector<double>{50, 100, 200, 400, 800, 600, 700, 750, 775}),
             boost::test_tools::per_element());
  BOOST_TEST(found.capacity == 750);
  BOOST_TEST(!found.top_held);
  BOOST_TEST(found.steps[4].broke == "served 730/s of 800/s");
}

BOOST_AUTO_TEST_CASE(a_latency_gate_breaks_a_step_before_the_throughput_does) {
  // 4% over capacity 500/s queues 20 requests: the latest waits 40 ms more, p99 about 41.6 ms.
  const auto gates = gate::parse_thresholds({"latency.p99 < 20ms"}, "--threshold");
  const std::string why = step_problem(520, served(520, 500), gates);
  BOOST_TEST(why.find("latency.p99 < 20ms") != std::string::npos, why);
  BOOST_TEST(why.find("served") == std::string::npos, why);  // 500 of 520 is 96%
  BOOST_TEST(step_problem(480, served(480, 500), gates) == "");
}

BOOST_AUTO_TEST_CASE(the_top_of_the_range_and_a_first_step_that_breaks) {
  const auto top = search_against(10000, {50, 300}, {});
  BOOST_TEST(rates_of(top) == (std::vector<double>{50, 100, 200, 300}), boost::test_tools::per_element());
  BOOST_TEST(top.top_held);
  BOOST_TEST(top.capacity == 300);
  const auto none = search_against(20, {50, 300}, {});
  BOOST_TEST(rates_of(none) == (std::vector<double>{50}), boost::test_tools::per_element());
  BOOST_TEST(none.capacity == 0);
}

BOOST_AUTO_TEST_CASE(the_result_has_a_level_per_step_and_the_capacity_gate_decides) {
  const auto found = search_against(730, {50, 5000}, {});
  const auto gates = gate::parse_thresholds({"capacity >= 700/s"}, "--threshold");
  run_result whole;
  whole.name = "api";
  add_capacity_points(whole, found, {50, 5000}, gates, "http://127.0.0.1:1/");
  BOOST_REQUIRE(whole.points.size() == 9u);
  BOOST_TEST(to_string(whole.points[0].at) == "rate=50");
  BOOST_TEST(to_string(whole.points[8].at) == "rate=800");  // by rate, not in the order they ran
  BOOST_TEST(to_string(whole.points[7].at) == "rate=775");
  BOOST_TEST(std::string(to_string(whole.points[7].outcome)) == "failed");
  BOOST_TEST(std::string(to_string(whole.points[6].outcome)) == "pass");
  BOOST_TEST(whole.summary.at("capacity").median == 750);
  BOOST_TEST(whole.metadata.at("capacity") == "750/s");
  BOOST_TEST(std::string(to_string(whole.outcome)) == "pass");  // the steps above the capacity broke, as they must
  BOOST_REQUIRE(whole.thresholds.size() == 1u);
  BOOST_TEST(whole.thresholds[0].ok);
  run_result strict;
  add_capacity_points(strict, found, {50, 5000}, gate::parse_thresholds({"capacity >= 800/s"}, "--threshold"), "u");
  BOOST_TEST(std::string(to_string(strict.outcome)) == "failed");
  run_result nothing;
  add_capacity_points(nothing, search_against(20, {50, 300}, {}), {50, 300}, {}, "u");
  BOOST_TEST(std::string(to_string(nothing.outcome)) == "failed");
  BOOST_REQUIRE(!nothing.reasons.empty());
  BOOST_TEST(nothing.reasons.back() == "not even 50.0/s held: served 20.0/s of 50.0/s");
}
