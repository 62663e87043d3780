// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE comparison
#include <boost/test/unit_test.hpp>

#include <ostream>

#include <boost/json.hpp>

#include "perfcheck/gate/comparison.hpp"
#include "perfcheck/gate/regression_rule.hpp"

using namespace perfcheck;
using namespace perfcheck::gate;

namespace perfcheck {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, verdict v) { return out << to_string(v); }
}  // namespace perfcheck

namespace {

// Ten tightly spread values around `center` (spread 0.9%), the same shape every time.
std::vector<double> tight(double center) {
  std::vector<double> out;
  for (int i = 0; i < 10; ++i) out.push_back(center * (1 + 0.001 * ((i * 7) % 10)));
  return out;
}

comparison_input test(const std::string& name, std::vector<double> wall, std::string origin = "side") {
  comparison_input in;
  in.name = name;
  in.columns["wall"] = wall;
  in.columns["cpu"] = std::move(wall);
  in.origin = std::move(origin);
  return in;
}

const std::vector<regression_rule> wall5{parse_regression_rule("wall.median +5%")};

}  // namespace

BOOST_AUTO_TEST_CASE(slower_candidate_regresses_and_equal_one_passes) {
  const auto report = compare_tests({test("slow", tight(100)), test("same", tight(100))},
                                    {test("slow", tight(150)), test("same", tight(100))}, wall5, {});
  BOOST_TEST_REQUIRE(report.rows.size() == 2u);
  BOOST_TEST(report.rows[0].name == "same");  // by name
  BOOST_TEST(report.rows[0].finding.decision == verdict::pass);
  BOOST_TEST(report.rows[1].name == "slow");
  BOOST_TEST(report.rows[1].finding.decision == verdict::regressed);
  BOOST_TEST(report.rows[1].evaluated);
  BOOST_TEST(report.rows[1].finding.change == 0.5, boost::test_tools::tolerance(0.01));
  BOOST_TEST(report.any_regressed());
  BOOST_TEST(report.counts().at(verdict::regressed) == 1u);
}

BOOST_AUTO_TEST_CASE(faster_candidate_improves) {
  const auto report = compare_tests({test("t", tight(100))}, {test("t", tight(80))}, wall5, {});
  BOOST_TEST(report.rows[0].finding.decision == verdict::improved);
  BOOST_TEST(!report.any_regressed());
}

BOOST_AUTO_TEST_CASE(tests_on_one_side_are_listed_not_compared) {
  const auto report = compare_tests({test("a", tight(1)), test("gone", tight(1))},
                                    {test("a", tight(1)), test("new", tight(1))}, wall5, {});
  BOOST_TEST(report.rows.size() == 1u);
  BOOST_TEST(report.only_baseline == std::vector<std::string>{"gone"});
  BOOST_TEST(report.only_candidate == std::vector<std::string>{"new"});
}

BOOST_AUTO_TEST_CASE(undecidable_rules_are_inconclusive_with_the_reason_and_others_still_decide) {
  const auto rules = parse_regression_rules({"wall.median +5%", "rss.median +5%"}, "--rule");
  const auto report = compare_tests({test("t", tight(100), "a.json")}, {test("t", tight(200), "b.json")}, rules, {});
  BOOST_TEST_REQUIRE(report.rows.size() == 2u);
  BOOST_TEST(report.rows[0].finding.decision == verdict::regressed);
  BOOST_TEST(report.rows[1].finding.decision == verdict::inconclusive);
  BOOST_TEST(!report.rows[1].evaluated);
  BOOST_TEST(report.rows[1].finding.reason.find("'rss' is not measured in a.json (it has cpu, wall)") != std::string::npos,
             report.rows[1].finding.reason);

  // Three runs a side can never reach p < 0.01: the message gives the minimum.
  const auto few = compare_tests({test("t", {1, 2, 3})}, {test("t", {7, 8, 9})}, wall5, {});
  BOOST_TEST(few.rows[0].finding.decision == verdict::inconclusive);
  BOOST_TEST(few.rows[0].finding.reason.find("use at least 5 runs") != std::string::npos, few.rows[0].finding.reason);
  BOOST_TEST(few.rows[0].finding.baseline_median == 2);
  BOOST_TEST(few.rows[0].finding.candidate_median == 8);
}

BOOST_AUTO_TEST_CASE(failed_measurements_give_error_rows) {
  auto broken = test("t", {});
  broken.problem = "run 1 crashed";
  const auto report = compare_tests({test("t", tight(1), "base.json")}, {broken}, wall5, {});
  BOOST_TEST(report.rows[0].finding.decision == verdict::error);
  BOOST_TEST(report.rows[0].finding.reason.find("candidate's measurement failed") != std::string::npos);
  BOOST_TEST(!report.any_regressed());
}

BOOST_AUTO_TEST_CASE(json_form_has_fractions_and_nulls_for_what_was_not_computed) {
  const auto rules = parse_regression_rules({"wall.median +5%", "rss.median +5%"}, "--rule");
  const auto report = compare_tests({test("t", tight(100))}, {test("t", tight(150)), test("x", tight(1))}, rules, {});
  const auto json = comparison_to_json(report);
  BOOST_TEST(json.at("schema").as_string() == compare_schema);
  const auto& rows = json.at("comparisons").as_array();
  BOOST_TEST_REQUIRE(rows.size() == 2u);
  const auto& first = rows[0].as_object();
  for (const char* key : {"name", "rule", "metric", "baseline_median", "candidate_median", "change", "p_value",
                          "p_adjusted", "ci_low", "ci_high", "verdict", "reason", "baseline_n", "candidate_n"}) {
    BOOST_TEST(first.contains(key), key);
  }
  BOOST_TEST(first.at("verdict").as_string() == "regressed");
  BOOST_TEST(first.at("change").as_double() == 0.5, boost::test_tools::tolerance(0.01));
  BOOST_TEST(first.at("ci_low").as_double() > 0.05);
  const auto& second = rows[1].as_object();
  BOOST_TEST(second.at("change").is_null());
  BOOST_TEST(second.at("p_value").is_null());
  BOOST_TEST(second.at("baseline_median").is_null());
  BOOST_TEST(json.at("only_candidate").as_array().size() == 1u);
  BOOST_TEST(json.at("alpha").as_double() == 0.01);
}

namespace {

comparison_input level_of(const std::string& name, const std::string& at, std::vector<double> wall) {
  auto in = test(name, std::move(wall));
  in.at = at;
  return in;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_sweep_is_compared_level_by_level_with_the_same_level) {
  // n=2 is 50% slower in the candidate, n=1 the same; n=3 is the baseline's only, n=4 the candidate's.
  const auto report = compare_tests(
      {level_of("s", "n=1", tight(10)), level_of("s", "n=2", tight(20)), level_of("s", "n=3", tight(30))},
      {level_of("s", "n=2", tight(30)), level_of("s", "n=1", tight(10)), level_of("s", "n=4", tight(40))}, wall5, {});
  BOOST_TEST_REQUIRE(report.rows.size() == 2u);
  // In the candidate's order, each against the baseline's level of the same text.
  BOOST_TEST(report.rows[0].finding.at == "n=2");
  BOOST_TEST(report.rows[0].finding.decision == verdict::regressed);
  // tight(20): offsets 0..9 per mille, so the median is 20 x 1.0045.
  BOOST_TEST(report.rows[0].finding.baseline_median == 20 * 1.0045, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(report.rows[0].finding.change == 0.5, boost::test_tools::tolerance(0.01));
  BOOST_TEST(report.rows[1].finding.at == "n=1");
  BOOST_TEST(report.rows[1].finding.decision == verdict::pass);
  BOOST_TEST(report.only_baseline.empty());
  BOOST_TEST(report.only_candidate.empty());
  BOOST_TEST((report.only_baseline_levels == std::vector<test_level>{{"s", "n=3"}}));
  BOOST_TEST((report.only_candidate_levels == std::vector<test_level>{{"s", "n=4"}}));
  BOOST_TEST(report.any_regressed());
  BOOST_TEST(level_label("s", "n=2") == "s @ n=2");
  BOOST_TEST(level_label("s", "") == "s");

  const auto json = comparison_to_json(report);
  const auto& rows = json.at("comparisons").as_array();
  BOOST_TEST(rows[0].at("at").as_string() == "n=2");
  BOOST_TEST(rows[0].at("name").as_string() == "s");
  BOOST_TEST(json.at("only_baseline_levels").as_array()[0].at("at").as_string() == "n=3");
  BOOST_TEST(json.at("only_candidate_levels").as_array()[0].at("name").as_string() == "s");
}

BOOST_AUTO_TEST_CASE(rows_of_tests_without_levels_have_no_at_in_json) {
  const auto report = compare_tests({test("t", tight(100))}, {test("t", tight(100))}, wall5, {});
  const auto json = comparison_to_json(report);
  BOOST_TEST(!json.at("comparisons").as_array()[0].as_object().contains("at"));
  BOOST_TEST(json.at("only_baseline_levels").as_array().empty());
}

BOOST_AUTO_TEST_CASE(a_level_failed_on_one_side_gives_error_rows_for_that_level_only) {
  auto broken = level_of("s", "n=2", {});
  broken.problem = "run 3 crashed";
  const auto report = compare_tests({level_of("s", "n=1", tight(10)), level_of("s", "n=2", tight(20))},
                                    {level_of("s", "n=1", tight(10)), broken}, wall5, {});
  BOOST_TEST_REQUIRE(report.rows.size() == 2u);
  BOOST_TEST(report.rows[0].finding.decision == verdict::pass);
  BOOST_TEST(report.rows[1].finding.decision == verdict::error);
  BOOST_TEST(report.rows[1].finding.at == "n=2");
  BOOST_TEST(report.rows[1].finding.reason.find("run 3 crashed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_sweep_that_never_started_is_in_error_at_every_level_of_the_other_side) {
  auto never = level_of("s", "", {});
  never.problem = "the command was not found";
  const std::vector<comparison_input> sweep{level_of("s", "n=1", tight(10)), level_of("s", "n=2", tight(20))};
  for (const bool candidate_failed : {true, false}) {
    const auto report = candidate_failed ? compare_tests(sweep, {never}, wall5, {}) : compare_tests({never}, sweep, wall5, {});
    BOOST_TEST_REQUIRE(report.rows.size() == 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      BOOST_TEST(report.rows[i].finding.decision == verdict::error);
      BOOST_TEST(report.rows[i].finding.reason.find("the command was not found") != std::string::npos);
    }
    BOOST_TEST(report.rows[0].finding.at == "n=1");
    BOOST_TEST(report.rows[1].finding.at == "n=2");
    BOOST_TEST(report.only_candidate_levels.empty());
    BOOST_TEST(report.only_baseline_levels.empty());
    BOOST_TEST(report.only_candidate.empty());
  }
}
