// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The metrics a command reported (docs/metrics.md) at each level of a sweep: the history adapter
// keeps each level's shapes; summary.md and index.html add a column per reported metric to the
// per-level table (median and p95 in the unit the command wrote, "-" where a level has none);
// report.json's levels carry them; junit.xml's per-level properties name them; a hostile name
// stays inert in every format. (A plain test's reports are report_test's golden files.)
#define BOOST_TEST_MODULE report_level_metrics
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "perfcheck/store/sqlite_history_store.hpp"
#include "reports/history_adapter.hpp"
#include "reports/report.hpp"
#include "report_fixture.hpp"

using namespace report_fixture;

namespace {

const reported_shape duration_values{unit_kind::duration, false, false, true};
const reported_shape counter_sums{unit_kind::count, false, true, false};
const reported_shape percent_value{unit_kind::count, true, false, false};

metric_figures figures(const std::string& metric, double median, double spread) {
  return {metric, summary_around(median, spread), std::nullopt};
}

// A sweep over n=10 and n=100 whose command reported a distribution `op` (us), a counter `items`
// (so items.rate) and, at n=10 only, a percentage `hit`. summary_around: p95 = median + 1.5 spread.
report_model level_metrics_model(const std::string& op = "op") {
  report_test test;
  test.name = "parse";
  for (int i = 0; i < 3; ++i) test.history.push_back(result_at(i, 5.0 + i, false));
  test.current = 2;
  level_figures small{"n=10",
                      {figures("wall", 1e5, 1e3), figures(op, 5000, 1000), figures("items", 20, 2),
                       figures("items.rate", 400, 10), figures("hit", 0.785, 0.01)},
                      {{op, duration_values}, {"items", counter_sums}, {"hit", percent_value}}};
  level_figures large{"n=100",
                      {figures("wall", 1e6, 1e4), figures(op, 50000, 10000), figures("items", 200, 20),
                       figures("items.rate", 4000, 100)},
                      {{op, duration_values}, {"items", counter_sums}}};
  test.levels = {small, large};
  test.trend_level = "n=100";
  report_model m;
  m.session.id = "s02";
  m.tests = {test};
  return m;
}

std::string html_of(const report_model& model, const temp_folder& tmp) {
  report_options options;
  options.out_dir = tmp.dir;
  options.formats = {report_format::html};
  options.charts.gnuplot = (tmp.dir / "no-such-gnuplot").string();  // the tables, no charts
  write_reports(model, options);
  return read(tmp.dir / "index.html");
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_view_has_a_column_per_reported_metric_and_a_line_per_level) {
  const auto model = level_metrics_model();
  const auto view = make_view(model);
  const test_row& row = view.rows.at(0);
  std::vector<std::string> names;
  for (const auto& column : row.level_reported) {
    names.push_back(column.name);
    BOOST_TEST(column.what == "median (p95)");
  }
  BOOST_TEST(names == (std::vector<std::string>{"hit", "items", "items.rate", "op"}), boost::test_tools::per_element());
  BOOST_REQUIRE(row.levels.size() == 2u);
  BOOST_REQUIRE(row.levels[1].reported.size() == 4u);
  const reported_line& op = row.levels[1].reported[3];
  BOOST_TEST((op.metric == "op" && op.median == 50000 && op.p95 == 65000 && op.n == 10u));
  BOOST_TEST(row.levels[1].reported[0].n == 0u);  // n=100 has no hit
  BOOST_TEST(reported_cell(row.levels[1].reported[0]) == "-");
  BOOST_TEST(reported_cell(op) == "50.0 us (p95 65.0 us)");
}

BOOST_AUTO_TEST_CASE(summary_md_shows_the_reported_metrics_at_each_level) {
  const std::string md = render(*make_markdown_writer(""), make_view(level_metrics_model()));
  BOOST_TEST(contains(md, "| Level | Runs | wall median (95% CI) | hit median (p95) | items median (p95) | "
                          "items.rate median (p95) | op median (p95) | Thresholds |\n"
                          "| --- | --- | --- | --- | --- | --- | --- | --- |\n"),
             md);
  BOOST_TEST(contains(md, "| n=10 | 10 | 100 us (95% CI 99.8 us to 100 us) | 78.5% (p95 80%) | 20 (p95 23) | "
                          "400/s (p95 415/s) | 5.00 us (p95 6.50 us) |  |\n"),
             md);
  BOOST_TEST(contains(md, "| n=100 | 10 | 1.00 ms (95% CI 998 us to 1.00 ms) | - | 200 (p95 230) | "
                          "4000/s (p95 4150/s) | 50.0 us (p95 65.0 us) |  |\n"),
             md);
}

BOOST_AUTO_TEST_CASE(index_html_shows_the_reported_metrics_at_each_level) {
  temp_folder tmp;
  const std::string html = html_of(level_metrics_model(), tmp);
  BOOST_TEST(contains(html, "<th>wall median (95% CI)</th><th><code>hit</code> median (p95)</th><th><code>items</code> "
                            "median (p95)</th><th><code>items.rate</code> median (p95)</th><th><code>op</code> "
                            "median (p95)</th><th>Thresholds</th>"),
             html);
  BOOST_TEST(contains(html, "<td><code>n=100</code></td><td>10</td><td>1.00 ms (95% CI 998 us to 1.00 ms)</td>"
                            "<td>-</td><td>200 (p95 230)</td><td>4000/s (p95 4150/s)</td>"
                            "<td>50.0 us (p95 65.0 us)</td>"),
             html);
  BOOST_TEST(contains(html, "<td>78.5% (p95 80%)</td>"));
}

BOOST_AUTO_TEST_CASE(report_json_levels_carry_the_reported_metrics) {
  const auto json = boost::json::parse(render(*make_json_writer(), make_view(level_metrics_model())));
  const auto& t = json.at("tests").at(0);
  BOOST_TEST(t.at("trend_level").as_string() == "n=100");
  const auto& levels = t.at("levels").as_array();
  BOOST_REQUIRE(levels.size() == 2u);
  BOOST_TEST(levels[0].at("level").as_string() == "n=10");
  BOOST_TEST(levels[0].at("runs").to_number<std::uint64_t>() == 10u);
  BOOST_TEST(levels[0].at("median").as_double() == 1e5);
  BOOST_TEST(levels[0].at("thresholds_text").is_null());  // none checked at the level
  const auto& small = levels[0].at("reported").as_array();
  BOOST_REQUIRE(small.size() == 4u);
  BOOST_TEST(small[0].at("metric").as_string() == "hit");
  BOOST_TEST(small[0].at("median").as_double() == 0.785);  // base unit: a fraction
  BOOST_TEST(small[0].at("median_text").as_string() == "78.5%");
  BOOST_TEST(small[3].at("p95").as_double() == 6500);  // ns
  BOOST_TEST(small[3].at("p95_text").as_string() == "6.50 us");
  BOOST_TEST(small[3].at("n").to_number<std::uint64_t>() == 10u);
  const auto& large = levels[1].at("reported").as_array();  // no hit at n=100: left out
  BOOST_REQUIRE(large.size() == 3u);
  BOOST_TEST(large[1].at("metric").as_string() == "items.rate");
  BOOST_TEST(large[1].at("median_text").as_string() == "4000/s");
  // A plain test's object has neither member.
  auto plain = level_metrics_model();
  plain.tests[0].levels.clear();
  plain.tests[0].trend_level.clear();
  const auto flat = boost::json::parse(render(*make_json_writer(), make_view(plain)));
  BOOST_TEST(!flat.at("tests").at(0).as_object().contains("levels"));
  BOOST_TEST(!flat.at("tests").at(0).as_object().contains("trend_level"));
}

BOOST_AUTO_TEST_CASE(report_json_of_a_plain_test_carries_its_reported_metrics) {
  report_model m = level_metrics_model();
  report_test& test = m.tests[0];
  test.levels.clear();
  test.trend_level.clear();
  for (int k = 0; k < 2; ++k) {  // a single start-up time per run, and a counter of links
    run_sample run;
    run.wall_ns = 1000000 + k;
    run.reported["startup"] = {unit_kind::duration, false, false, {k == 0 ? 4e5 : 6e5}};
    run.reported["links"] = {unit_kind::count, false, true, {3}};
    test.samples.push_back(run);
  }
  report_result& current = test.history[*test.current];
  current.metrics.push_back(figures("startup", 5e5, 1e4));  // p95 = median + 1.5 spread
  current.metrics.push_back(figures("links", 3, 0));
  current.metrics.push_back(figures("links.rate", 14150, 10));  // in full, not 1.415e+04/s
  const auto json = boost::json::parse(render(*make_json_writer(), make_view(m)));
  const auto& t = json.at("tests").at(0).as_object();
  BOOST_TEST(!t.contains("levels"));
  const auto& reported = t.at("reported").as_array();
  BOOST_REQUIRE(reported.size() == 3u);  // by name, a counter's rate after it
  BOOST_TEST(reported[0].at("metric").as_string() == "links");
  BOOST_TEST(reported[1].at("metric").as_string() == "links.rate");
  BOOST_TEST(reported[1].at("median_text").as_string() == "14150/s");
  BOOST_TEST(reported[1].at("p95_text").as_string() == "14165/s");
  BOOST_TEST(reported[2].at("metric").as_string() == "startup");
  BOOST_TEST(reported[2].at("median").as_double() == 5e5);  // ns
  BOOST_TEST(reported[2].at("median_text").as_string() == "500 us");
  BOOST_TEST(reported[2].at("p95").as_double() == 515000);
  BOOST_TEST(reported[2].at("p95_text").as_string() == "515 us");
  // A test whose command reported nothing has no such member.
  const auto none = boost::json::parse(render(*make_json_writer(), make_view(level_metrics_model())));
  BOOST_TEST(!none.at("tests").at(0).as_object().contains("reported"));
}

BOOST_AUTO_TEST_CASE(junit_has_the_reported_metrics_of_every_level) {
  const std::string xml = render(*make_junit_writer(), make_view(level_metrics_model()));
  BOOST_TEST(contains(xml, R"(<property name="level.n=10.op.median" value="5000"/>)"), xml);
  BOOST_TEST(contains(xml, R"(<property name="level.n=100.items.rate.p95" value="4150"/>)"));
  BOOST_TEST(contains(xml, R"(<property name="level.n=10.hit.median" value="0.785"/>)"));
}

BOOST_AUTO_TEST_CASE(a_hostile_reported_name_stays_inert_in_every_format) {
  const std::string hostile = "<img/src=x/onerror=alert(1)>|*y*_`z`\"";
  const auto model = level_metrics_model(hostile);
  const auto view = make_view(model);
  const std::string md = render(*make_markdown_writer(""), view);
  BOOST_TEST(!contains(md, "<img"));
  BOOST_TEST(contains(md, " | &lt;img/src=x/onerror=alert(1)&gt;\\|\\*y\\*\\_\\`z\\`&quot; median (p95) | hit "), md);
  // The name's '|' splits no cell: eight columns in the header as in every row.
  for (const std::string start : {"| Level |", "| n=10 |", "| n=100 |"}) {
    const std::size_t at = md.find(start);
    BOOST_REQUIRE(at != std::string::npos);
    BOOST_TEST(count(md.substr(at, md.find('\n', at) - at), " | ") == 7u);
  }
  temp_folder tmp;
  const std::string html = html_of(model, tmp);
  BOOST_TEST(!contains(html, "<img"));
  BOOST_TEST(contains(html, "<th><code>&lt;img/src=x/onerror=alert(1)&gt;|*y*_`z`&quot;</code> median (p95)</th>"),
             html);
  const auto json = boost::json::parse(render(*make_json_writer(), view));
  const auto& reported = json.at("tests").at(0).at("levels").at(0).at("reported").as_array();
  BOOST_TEST(reported.front().at("metric").as_string() == hostile);  // '<' sorts first
  const std::string xml = render(*make_junit_writer(), view);
  BOOST_TEST(!contains(xml, "<img"));
  BOOST_TEST(contains(xml, "name=\"level.n=10.&lt;img/src=x/onerror=alert(1)&gt;|*y*_`z`&quot;.median\""), xml);
}

BOOST_AUTO_TEST_CASE(the_adapter_keeps_what_the_command_reported_at_each_level) {
  temp_folder tmp;
  store::sqlite_history_store history(tmp.dir / "h.sqlite");
  run_result r;
  r.name = "parse";
  r.command = {"/usr/bin/parse"};
  r.context.session_id = "s0";
  r.context.machine = "m";
  r.context.spec_hash = "h";
  r.started_at = r.finished_at = "2026-10-01T08:00:00.000Z";
  for (const int n : {10, 100}) {
    result_point p;
    p.at = {{"n", std::to_string(n)}};
    for (int k = 0; k < 3; ++k) {
      run_sample run;
      run.wall_ns = 1000 * n + k;
      run.reported["op"] = {unit_kind::duration, false, false, {500.0 * n, 600.0 * n}};
      if (n == 10) run.reported["links"] = {unit_kind::count, false, true, {4}};
      p.runs.push_back(run);
    }
    p.summary["wall"] = summary_around(1000.0 * n, 1);
    p.summary["op"] = summary_around(550.0 * n, 10);
    if (n == 10) p.summary["links"] = summary_around(4, 0);
    r.points.push_back(p);
  }
  BOOST_TEST(history.record(r));
  const auto model = model_from_history(history, "latest", "test");
  BOOST_REQUIRE(model.tests.size() == 1u);
  const auto& levels = model.tests[0].levels;
  BOOST_REQUIRE(levels.size() == 2u);
  BOOST_TEST((levels[0].reported.at("op") == duration_values));
  BOOST_TEST((levels[0].reported.at("links") == counter_sums));
  BOOST_TEST(levels[1].reported.size() == 1u);
  const auto view = make_view(model);
  BOOST_TEST(reported_cell(view.rows.at(0).levels[1].reported.at(1)) == "55.0 us (p95 55.0 us)");
  BOOST_TEST(reported_cell(view.rows.at(0).levels[1].reported.at(0)) == "-");  // no links at n=100
}
