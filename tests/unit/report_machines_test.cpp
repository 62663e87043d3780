// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Reports across machine classes (perfcheck report --machine all|FINGERPRINT): a SQLite history
// with two simulated machines, the model's series per machine, the view's lines, the chart's
// data sets and legend, the per-machine tables, an unknown fingerprint, and the legend names.
#define BOOST_TEST_MODULE report_machines
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/store/sqlite_history_store.hpp"
#include "reports/chart_plan.hpp"
#include "reports/history_adapter.hpp"
#include "reports/report.hpp"
#include "reports/machine_series.hpp"
#include "reports/report_writer.hpp"
#include "reports/template_engine.hpp"
#include "report_fixture.hpp"

using namespace perfcheck;
using namespace perfcheck::reports;
using namespace report_fixture;

namespace {

// Test "t" (spec h1) on two machine classes, one session a day: m-a on days 1, 3 and 5 with a
// wall median of 1 ms, m-b on days 2 and 4 with 3 ms. The latest session (day 5) is m-a's.
void fill_history(store::history_store& history, const std::string& other = "m-b") {
  for (int day = 1; day <= 5; ++day) {
    const bool a = day % 2 == 1;
    run_result r;
    r.name = "t";
    r.command = {"prog"};
    r.context.session_id = fmt::format("s{}", day);
    r.context.git_commit = fmt::format("commit{}", day);
    r.context.git_branch = "main";
    r.context.machine = a ? "m-a" : other;
    r.context.spec_hash = "h1";
    r.started_at = r.finished_at = fmt::format("2026-10-0{}T08:00:00.000Z", day);
    const double ms = a ? 1.0 : 3.0;
    runs_around(r, ms, 8);
    r.summary["wall"].median = ms * 1e6;  // exact, to check the chart's values
    BOOST_REQUIRE(history.record(r));
  }
}

// The data sets of a chart's data file (two blank lines end each).
std::vector<std::string> data_sets(const std::string& data) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (std::size_t at; (at = data.find("\n\n\n", from)) != std::string::npos; from = at + 3)
    out.push_back(data.substr(from, at - from));
  std::string last = data.substr(from);
  while (!last.empty() && last.back() == '\n') last.pop_back();
  out.push_back(last);
  return out;
}

struct two_machines {
  temp_folder tmp;
  store::sqlite_history_store history{tmp.dir / "history.sqlite"};
  two_machines() { fill_history(history); }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(all_machines_give_one_series_and_one_line_each, two_machines) {
  const auto model = model_from_history(history, "latest", "test", {}, 1, "all");
  BOOST_TEST(model.machine_scope == "all");
  BOOST_REQUIRE(model.tests.size() == 1u);
  const report_test& t = model.tests[0];
  BOOST_TEST(t.history.size() == 3u);  // the session's own series is unchanged: m-a's
  BOOST_REQUIRE(t.machines.size() == 2u);
  BOOST_TEST(t.machines[0].machine == "m-a");  // the session's machine first
  BOOST_TEST(t.machines[1].machine == "m-b");
  BOOST_TEST(t.machines[0].label == "m-a");
  BOOST_TEST(t.machines[1].label == "m-b");
  BOOST_TEST(t.machines[0].history.size() == 3u);
  BOOST_TEST(t.machines[1].history.size() == 2u);
  BOOST_TEST((t.machines[0].current == std::optional<std::size_t>(2)));
  BOOST_TEST(!t.machines[1].current.has_value());
  BOOST_TEST(t.machines[1].history[1].commit == "commit4");

  const auto view = make_view(model);
  const test_row& row = view.rows.at(0);
  BOOST_REQUIRE(row.machine_lines.size() == 2u);
  BOOST_TEST(row.machine_lines[0].own);
  BOOST_TEST(!row.machine_lines[1].own);
  BOOST_TEST(row.machine_lines[0].values == std::vector<double>({1e6, 1e6, 1e6}));
  BOOST_TEST(row.machine_lines[1].values == std::vector<double>({3e6, 3e6}));
  BOOST_TEST(row.machine_lines[1].latest_date == "2026-10-04T08:00:00.000Z");

  BOOST_REQUIRE(detail::has_machine_trend(row));
  const auto plan = detail::plan_machine_trend(row, "r0-trend");
  const auto sets = data_sets(plan.data);
  BOOST_REQUIRE(sets.size() >= 3u);  // tics, m-a, m-b (and the baseline)
  // x: each result's place among both machines' results by start time; y in ms.
  BOOST_TEST(sets[1] == "1\t1\n3\t1\n5\t1");
  BOOST_TEST(sets[2] == "2\t3\n4\t3");
  BOOST_TEST(count(plan.script, " with linespoints ") == 2u);
  BOOST_CHECK_MESSAGE(contains(plan.script, "index 1 using 1:2 with linespoints") &&
                          contains(plan.script, "title 'm-a'") &&
                          contains(plan.script, "index 2 using 1:2 with linespoints") &&
                          contains(plan.script, "title 'm-b'"),
                      plan.script);
  BOOST_TEST(plan.points.size() == 5u);  // a tooltip per drawn point
  BOOST_TEST(contains(plan.caption, "m-a = m-a (the reported session's machine); m-b = m-b"));
}

BOOST_FIXTURE_TEST_CASE(summaries_get_a_row_per_machine, two_machines) {
  const auto model = model_from_history(history, "latest", "test", {}, 1, "all");
  const auto view = make_view(model);
  const std::string md = render(*make_markdown_writer(""), view);
  const std::string one = format_quantity(1e6, unit_kind::duration);
  const std::string three = format_quantity(3e6, unit_kind::duration);
  BOOST_CHECK_MESSAGE(contains(md, "#### Per machine (every machine class)"), md);
  // Values pass x-markdown (Markdown's punctuation escaped), as every value of summary.md does.
  const auto md_row = [](const char* machine, const char* own, int results, const std::string& latest,
                          const char* date) {
    return fmt::format("| t | {}{} | {} | {} ({}) |", markdown_text(machine), own, results,
                       markdown_text(latest), markdown_text(date));
  };
  BOOST_CHECK_MESSAGE(contains(md, md_row("m-a", " (this session's)", 3, "wall median " + one, "2026-10-05")), md);
  BOOST_CHECK_MESSAGE(contains(md, md_row("m-b", "", 2, "wall median " + three, "2026-10-04")), md);
  const auto rows = machine_table(view);
  BOOST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(rows[1].machine == "m-b");
  BOOST_TEST((rows[1].latest == std::optional<double>(3e6)));
  BOOST_TEST(rows[1].latest_date == "2026-10-04");
}

BOOST_FIXTURE_TEST_CASE(a_fingerprint_draws_that_machine_only, two_machines) {
  const auto model = model_from_history(history, "latest", "test", {}, 1, "m-b");
  BOOST_REQUIRE(model.tests.size() == 1u);
  BOOST_REQUIRE(model.tests[0].machines.size() == 1u);
  BOOST_TEST(model.tests[0].machines[0].machine == "m-b");
  BOOST_TEST(model.tests[0].machines[0].history.size() == 2u);
  const auto view = make_view(model);
  const auto plan = detail::plan_machine_trend(view.rows.at(0), "r0-trend");
  BOOST_TEST(count(plan.script, " with linespoints ") == 1u);
  BOOST_TEST(data_sets(plan.data).at(1) == "1\t3\n2\t3");
}

// A machine the history knows, but not for this test: no trend, and the table says so.
BOOST_FIXTURE_TEST_CASE(a_fingerprint_without_results_of_the_test_says_so, two_machines) {
  run_result other;
  other.name = "u";
  other.command = {"prog"};
  other.context.machine = "m-c";
  other.context.session_id = "s0";
  other.started_at = other.finished_at = "2026-09-30T08:00:00.000Z";
  other.runs = samples_around(1.0, 4);
  BOOST_REQUIRE(history.record(other));
  const auto model = model_from_history(history, "latest", "test", {}, 1, "m-c");
  BOOST_TEST(model.tests.at(0).machines.empty());
  const auto view = make_view(model);
  BOOST_TEST(!detail::has_machine_trend(view.rows.at(0)));
  const auto rows = machine_table(view);
  BOOST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0].machine == "m-c");
  BOOST_TEST(rows[0].results == 0u);
  BOOST_TEST(rows[0].latest_text == "no results on this machine");
}

BOOST_FIXTURE_TEST_CASE(this_machine_is_the_default, two_machines) {
  for (const char* scope : {"", "this"}) {
    const auto model = model_from_history(history, "latest", "test", {}, 1, scope);
    BOOST_TEST(model.machine_scope.empty());
    BOOST_TEST(model.tests.at(0).machines.empty());
    BOOST_TEST(model.tests.at(0).history.size() == 3u);
    BOOST_TEST(make_view(model).rows.at(0).machine_lines.empty());
  }
}

BOOST_FIXTURE_TEST_CASE(an_unknown_fingerprint_lists_the_known_ones, two_machines) {
  BOOST_CHECK_EXCEPTION(
      model_from_history(history, "latest", "test", {}, 1, "m-z"), usage_error,
      [](const usage_error& e) {
        BOOST_TEST_MESSAGE(e.what());
        return contains(e.what(), "--machine m-z") && contains(e.what(), "'m-a', 'm-b'") &&
               contains(e.what(), "'all'");
      });
}

// A fingerprint is text from the history like any name: escaped in every format, whitelisted
// on its way into gnuplot.
BOOST_AUTO_TEST_CASE(a_hostile_fingerprint_is_escaped_everywhere) {
  temp_folder tmp;
  const std::string hostile = "<b>'x`touch " + (tmp.dir / "pwned").string() + "`\"; | *y*</b>";
  store::sqlite_history_store history(tmp.dir / "history.sqlite");
  fill_history(history, hostile);
  const auto model = model_from_history(history, "latest", "test", {}, 1, "all");
  BOOST_REQUIRE(model.tests.at(0).machines.size() == 2u);
  const auto view = make_view(model);
  const auto plan = detail::plan_machine_trend(view.rows.at(0), "r0-trend");
  const std::string safe = gnuplot_safe(hostile);
  BOOST_TEST(safe.find_first_of("'`\"<>;|*") == std::string::npos);
  BOOST_CHECK_MESSAGE(contains(plan.script, "title '" + safe.substr(0, 8) + "...'"), plan.script);
  report_options options;
  options.out_dir = tmp.dir / "report";
  options.formats = {report_format::html, report_format::markdown, report_format::json};
  write_reports(model, options);
  BOOST_TEST(!fs::exists(tmp.dir / "pwned"));
  const std::string html = read(tmp.dir / "report" / "index.html");
  BOOST_TEST(!contains(html, "<b>'x"));
  BOOST_TEST(contains(html, "&lt;b&gt;&#39;x`touch"));
  const std::string md = read(tmp.dir / "report" / "summary.md");
  BOOST_TEST(!contains(md, "<b>"));
  BOOST_CHECK_MESSAGE(contains(md, "&lt;b&gt;") && contains(md, "\\*y\\*"), md);
  const std::string json = read(tmp.dir / "report" / "report.json");
  BOOST_TEST(contains(json, "\"machine_scope\": \"all\""));
}

BOOST_AUTO_TEST_CASE(legend_names_are_short_unambiguous_and_safe) {
  BOOST_TEST(machine_labels({"5f3a9c2e81b7d046", "5f3a9c2e99b7d046", "0123456789abcdef"}) ==
                 std::vector<std::string>({"5f3a9c2e8...", "5f3a9c2e9...", "01234567..."}),
             boost::test_tools::per_element());
  BOOST_TEST(machine_labels({"m-a", "m-b"}) == std::vector<std::string>({"m-a", "m-b"}),
             boost::test_tools::per_element());
  // A prefix of another stays whole; the whitelist's replacements may make names equal.
  BOOST_TEST(machine_labels({"abcdefgh12", "abcdefgh1234"}) ==
                 std::vector<std::string>({"abcdefgh12", "abcdefgh123..."}),
             boost::test_tools::per_element());
  BOOST_TEST(machine_labels({"x'y`z", "x\"y;z", ""}) ==
                 std::vector<std::string>({"x_y_z", "x_y_z (2)", "(no fingerprint)"}),
             boost::test_tools::per_element());
}
