// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Regression rules beyond the median: means, quantiles, required speed-ups, and the call-out of
// an inconclusive finding that may be a regression with the runs that would decide it.
#define BOOST_TEST_MODULE regression_rules
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <fmt/format.h>

#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/error.hpp"
#include "regression_samples.hpp"
#include "perfcheck/model/result.hpp"

using namespace perfcheck;
using namespace perfcheck::gate;
using namespace regression_samples;

namespace {


regression_outcome one(const char* rule, std::vector<double> base, std::vector<double> cand,
                       const regression_options& options = {}) {
  const auto f = evaluate_regressions(parse_regression_rules({rule}, "t"), wall(std::move(base)),
                                      wall(std::move(cand)), options);
  BOOST_REQUIRE(f.size() == 1u);
  return f[0];
}

}  // namespace

BOOST_AUTO_TEST_CASE(parses_statistics_and_signed_limits) {
  const auto p95 = parse_regression_rule("wall.p95 +10%");
  BOOST_TEST(p95.statistic == "p95");
  BOOST_TEST(p95.tolerance == 0.10, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(parse_regression_rule("rss.mean +2%").statistic == "mean");
  BOOST_TEST(parse_regression_rule("wall.p99 +5%").statistic == "p99");
  const auto speedup = parse_regression_rule("wall.median -40%");
  BOOST_TEST(speedup.statistic == "median");
  BOOST_TEST(speedup.tolerance == -0.40, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(error_of("wall.median -100%").find("below -100%") != std::string::npos);
  BOOST_TEST(error_of("wall.median 40%").find("or '-' (a speed-up required") != std::string::npos);
  BOOST_TEST(error_of("wall.max +5%").find("median, mean, p90, p95 or p99") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(required_speedup_is_met_not_met_or_undecided) {
  const auto base = around(100, 0.02, 20);
  // Twice as fast: at least 40% faster, proven.
  auto f = one("wall.median -40%", base, around(50, 0.02, 20, 0.3));
  BOOST_TEST(to_string(f.decision) == std::string("pass"));
  BOOST_TEST(f.reason.find("required speed-up of +40.0% is met") != std::string::npos);
  // 10% faster: clearly short of 40%, a failing verdict although it is faster.
  f = one("wall.median -40%", base, around(90, 0.02, 20, 0.3));
  BOOST_TEST(to_string(f.decision) == std::string("regressed"));
  BOOST_TEST(f.reason.find("is not met") != std::string::npos);
  // About 40% faster with wide noise and few runs: cannot tell.
  f = one("wall.median -40%", around(100, 0.3, 6), around(61, 0.3, 6, 0.5));
  BOOST_TEST(to_string(f.decision) == std::string("inconclusive"));
  // The p-value tests "change = -40%", not "no change".
  BOOST_TEST(f.p_value > 0.05);
}

BOOST_AUTO_TEST_CASE(mean_rule_decides_with_its_own_interval) {
  const auto base = around(100, 0.02, 20);
  auto f = one("wall.mean +5%", base, around(120, 0.02, 20, 0.3));
  BOOST_TEST(to_string(f.decision) == std::string("regressed"));
  BOOST_TEST(f.change > 0.15);
  BOOST_TEST(f.ci_low > 0.05);
  f = one("wall.mean +5%", base, around(100, 0.02, 20, 0.3));
  BOOST_TEST(to_string(f.decision) == std::string("pass"));
  // One slow outlier moves the mean, not the median.
  auto outlier = around(100, 0.02, 20, 0.3);
  outlier[3] = 1000;
  BOOST_TEST(one("wall.mean +5%", base, outlier).change > 0.4);
  BOOST_TEST(std::fabs(one("wall.median +5%", base, outlier).change) < 0.02);
}

BOOST_AUTO_TEST_CASE(quantile_rule_needs_enough_runs_and_decides_then) {
  try {
    one("wall.p95 +5%", around(100, 0.02, 20), around(120, 0.02, 20));
    BOOST_ERROR("accepted");
  } catch (const usage_error& e) {
    BOOST_TEST(std::string(e.what()).find("use at least 117 runs on each side") != std::string::npos);
  }
  BOOST_TEST(min_runs_for(parse_regression_rule("wall.p95 +5%"), 1, 0.01) == 117u);
  BOOST_TEST(!rules_can_reach(parse_regression_rules({"wall.p95 +5%"}, "t"), 116, 200, 0.01));
  BOOST_TEST(rules_can_reach(parse_regression_rules({"wall.p95 +5%"}, "t"), 117, 117, 0.01));
  // A slow tail: a quarter of the runs 30% slower moves p95 by +30%, the median hardly.
  const auto base = around(100, 0.02, 150);
  auto tail = around(100, 0.02, 150, 0.3);
  for (std::size_t i = 0; i < tail.size(); i += 4) tail[i] *= 1.3;
  const auto f = one("wall.p95 +5%", base, tail);
  BOOST_TEST(to_string(f.decision) == std::string("regressed"));
  BOOST_TEST(f.confidence >= 0.99);
  BOOST_TEST(to_string(one("wall.median +5%", base, tail).decision) == std::string("pass"));
}

BOOST_AUTO_TEST_CASE(possible_regression_says_how_many_runs_would_decide_it) {
  // +11% with 10% noise: beyond +5% but undecided with 8 runs against a fixed 40-run baseline.
  const auto base = around(100, 0.10, 40);
  const auto f = one("wall.median +5%", base, around(110, 0.10, 8, 0.5));
  BOOST_REQUIRE(to_string(f.decision) == std::string("inconclusive"));
  BOOST_TEST(f.possible_regression());
  BOOST_TEST(f.reason.starts_with("possible regression: "));
  BOOST_TEST(f.runs_to_decide > f.candidate_n);
  BOOST_TEST(f.reason.find(fmt::format("about {} runs would decide it", f.runs_to_decide)) != std::string::npos);
  // The estimate holds: that many runs of the same pattern decide it.
  const auto more = one("wall.median +5%", base, around(110, 0.10, static_cast<int>(f.runs_to_decide), 0.5));
  BOOST_TEST(to_string(more.decision) == std::string("regressed"));
  // An undecided finding below the limit is not called out.
  const auto below = one("wall.median +5%", around(100, 0.08, 8), around(103, 0.08, 8, 0.5));
  BOOST_TEST(!below.possible_regression());
  BOOST_TEST(below.runs_to_decide == 0u);
}

BOOST_AUTO_TEST_CASE(between_session_spread_can_make_more_runs_useless) {
  regression_options o;
  o.between_session_cv = 0.05;  // the widening alone exceeds the distance to the limit
  o.baseline_sessions = 3;
  const auto f = one("wall.median +5%", around(100, 0.02, 20), around(110, 0.02, 20, 0.3), o);
  BOOST_REQUIRE(f.possible_regression());
  BOOST_TEST(f.runs_to_decide == 0u);
  BOOST_TEST(f.reason.find("more runs alone cannot decide it") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(findings_keep_limit_confidence_and_runs_in_json) {
  run_result r;
  r.name = "t";
  r.command = {"x"};
  regression_finding f;
  f.rule = "wall.median +5%";
  f.metric = "wall";
  f.decision = verdict::inconclusive;
  f.change = 0.08;
  f.tolerance = 0.05;
  f.confidence = 0.9967;
  f.runs_to_decide = 48;
  r.regressions.push_back(f);
  const auto back = result_from_json(result_to_json(r), "t.json");
  BOOST_REQUIRE(back.regressions.size() == 1u);
  BOOST_TEST(back.regressions[0].tolerance == 0.05);
  BOOST_TEST(back.regressions[0].confidence == 0.9967);
  BOOST_TEST(back.regressions[0].runs_to_decide == 48u);
  // An older result without the limit: read from the rule.
  auto json = result_to_json(r);
  json.as_object()["regressions"].as_array()[0].as_object().erase("tolerance");
  BOOST_TEST(result_from_json(json, "t.json").regressions[0].tolerance == 0.05, boost::test_tools::tolerance(1e-12));
}
