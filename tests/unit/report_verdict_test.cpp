// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What the report's summary says about verdicts: a possible regression is never shown like a
// pass, the interval's level is the documented one or shown with its reason, WILL_FAIL failures
// are counted as expected failures, and gate figures are in their unit in every format.
#define BOOST_TEST_MODULE report_verdict
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "reports/report_view.hpp"
#include "reports/report_writer.hpp"
#include "report_fixture.hpp"

using namespace perfcheck;
using namespace perfcheck::reports;
using namespace report_fixture;

namespace {

const test_row& row_named(const report_view& view, const std::string& name) {
  for (const auto& row : view.rows) {
    if (row.name == name) return row;
  }
  BOOST_FAIL("no row " + name);
  return view.rows.front();
}

// The golden model with its inconclusive test turned into a possible regression.
report_model possible_regression_model() {
  auto model = golden_model("undecided");
  auto& test = model.tests[4];
  test.baseline->change = 0.12;
  test.baseline->change_low = 0.02;
  test.baseline->change_high = 0.23;
  test.baseline->confidence = 0.99666;
  test.baseline->possible_regression = true;
  test.baseline->runs_to_decide = 48;
  return model;
}

}  // namespace

BOOST_AUTO_TEST_CASE(possible_regression_is_called_out_in_summary_and_json) {
  const auto model = possible_regression_model();
  const auto view = make_view(model);
  const auto& row = row_named(view, "undecided");
  BOOST_TEST(row.verdict_word == "inconclusive");  // the CSS class and report.json verdict stay
  BOOST_TEST(row.verdict_text == "inconclusive: possible regression (about 48 runs would decide it)");
  const auto md = render(*make_markdown_writer(""), view);
  BOOST_TEST(contains(md, "| ❔ inconclusive: possible regression (about 48 runs would decide it) |"));
  const auto json = boost::json::parse(render(*make_json_writer(), view));
  for (const auto& t : json.at("tests").as_array()) {
    if (t.at("name").as_string() != "undecided") continue;
    BOOST_TEST(t.at("change").at("possible_regression").as_bool());
    BOOST_TEST(t.at("change").at("runs_to_decide").as_int64() == 48);
  }
  // Not beyond the limit: a plain inconclusive.
  auto plain = golden_model("undecided");
  BOOST_TEST(row_named(make_view(plain), "undecided").verdict_text == "inconclusive");
}

BOOST_AUTO_TEST_CASE(interval_level_is_the_documented_one_or_shown_with_its_reason) {
  auto model = possible_regression_model();
  const auto view = make_view(model);
  // The gate's level, split over the looks: shown as it is.
  BOOST_TEST(row_named(view, "undecided").interval_text == "99.7% CI +2.0% to +23.0%");
  BOOST_TEST(row_named(view, "parse_big_json").interval_text == "99% CI +17.0% to +22.5%");
  // The report's own 99% comparison with too few runs: the level reached and why.
  model.tests[4].baseline->possible_regression = false;
  model.tests[4].baseline->too_few_runs = true;
  model.tests[4].baseline->confidence = 0.9;
  BOOST_TEST(row_named(make_view(model), "undecided").interval_text ==
             "+2.0% to +23.0% (90%: too few runs for a 99% CI)");
  // An older result without the gate's level.
  model.tests[4].baseline->too_few_runs = false;
  model.tests[4].baseline->confidence = 0;
  BOOST_TEST(row_named(make_view(model), "undecided").interval_text == "gate's CI +2.0% to +23.0%");
}

BOOST_AUTO_TEST_CASE(will_fail_failures_are_expected_failures) {
  auto model = golden_model("undecided");
  auto& failing = model.tests[3];  // sort_numbers: failed a threshold
  failing.history[*failing.current].expected_failure = true;
  const auto view = make_view(model);
  const auto& row = row_named(view, "sort_numbers");
  BOOST_TEST(row.severity == 7);
  BOOST_TEST(row.verdict_text == "failed (expected: WILL_FAIL)");
  BOOST_TEST(view.counts[0] == 0u);  // not counted as failed
  BOOST_TEST(view.counts[7] == 1u);
  BOOST_TEST(contains(view.counts_text, "1 expected failure"));
  BOOST_TEST(!contains(view.counts_text, "failed"));
  const auto junit = render(*make_junit_writer(), view);
  const auto at = junit.find("name=\"sort_numbers\"");
  BOOST_REQUIRE(at != std::string::npos);
  BOOST_TEST(junit.find("<failure", at) > junit.find("</testcase>", at));
  const auto json = boost::json::parse(render(*make_json_writer(), view));
  BOOST_TEST(json.at("counts").at("expected_failure").as_int64() == 1);
  BOOST_TEST(json.at("counts").at("failed").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(percentage_and_rate_gates_are_in_their_unit_in_every_format) {
  auto model = golden_model("undecided");
  auto& current = model.tests[3].history[*model.tests[3].current];
  current.thresholds = {{parse_threshold("rss.growth < 10%"), 0.4056, false},
                        {parse_threshold("rss.slope < 1MiB/min"), 1024.0 * 1024 / 30, false}};
  const auto view = make_view(model);
  for (const auto& text : {render(*make_markdown_writer(""), view), render(*make_junit_writer(), view),
                           render(*make_json_writer(), view)}) {
    BOOST_TEST(contains(text, "40.6%"), text.substr(0, 200));
    BOOST_TEST(contains(text, "2.00 MiB/min"));
    BOOST_TEST(!contains(text, "0.4056 "));
    BOOST_TEST(!contains(text, "0/s"));
  }
}
