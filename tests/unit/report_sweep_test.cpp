// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Reports of sweeps: the history adapter reads a sweep's trend level and every level's figures
// from a real history; summary.md has a table per level, junit.xml properties per level; the
// series chart draws a sweep of one numeric parameter against its values (a log axis for a
// geometric sweep), with the median's interval as a band and the thresholds of every level.
// (Reports of plain tests are the golden files of report_test, unchanged.)
#define BOOST_TEST_MODULE report_sweep
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "report_fixture.hpp"
#include "perfcheck/model/threshold.hpp"
#include "perfcheck/store/sqlite_history_store.hpp"
#include "reports/chart_plan.hpp"
#include "reports/history_adapter.hpp"

using namespace report_fixture;

namespace {

// A sweep test as the adapter makes it: levels n=<value> with a wall median of `ms(value)`,
// the trend level the last one, one threshold at every level and one at the first.
report_model sweep_model(const std::vector<std::string>& values, const std::string& name = "sort") {
  report_test test;
  test.name = name;
  for (int i = 0; i < 3; ++i) test.history.push_back(result_at(i, 5.0 + i, false));
  test.current = 2;
  auto& current = test.history[2];
  for (const auto& v : values) {
    const std::string level = "n=" + v;
    test.levels.push_back({level, {{"wall", summary_around(std::stod(v) * 1e4, 1e3), std::nullopt}}});
    threshold_outcome every{parse_threshold("wall.median < 50ms"), std::stod(v) * 1e4, true};
    every.at = level;
    current.thresholds.push_back(every);
  }
  threshold_outcome one{parse_threshold("wall.median@n=" + values.front() + " < 1ms"), 2e6, false};
  one.at = "n=" + values.front();
  current.thresholds.push_back(one);
  test.trend_level = test.levels.back().level;
  report_model m;
  m.session.id = "s02";
  m.tests = {test};
  return m;
}

std::vector<std::string> data_rows(const std::string& data) {
  std::vector<std::string> rows;
  std::istringstream in(data);
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  return rows;
}

}  // namespace

BOOST_AUTO_TEST_CASE(summary_md_has_a_table_per_level) {
  const auto model = sweep_model({"10", "100", "1000"});
  const std::string md = render(*make_markdown_writer(""), make_view(model));
  BOOST_TEST(contains(md, "#### sort per level\n\n| Level | Runs | wall median (95% CI) | Thresholds |\n"));
  BOOST_TEST(contains(md, "| n=10 | 10 | 100 us (95% CI 99.8 us to 100 us) | 1 of 2 failed: "
                          "wall.median@n=10 &lt; 1ms (measured 2.00 ms) |\n"), md);
  BOOST_TEST(contains(md, "| n=1000 | 10 | 10.0 ms (95% CI "), md);
  BOOST_TEST(count(md, " | 1 held |\n") == 2u, md);
  // A plain test has none.
  auto plain = model;
  plain.tests[0].levels.clear();
  plain.tests[0].trend_level.clear();
  BOOST_TEST(!contains(render(*make_markdown_writer(""), make_view(plain)), "per level"));
}

BOOST_AUTO_TEST_CASE(junit_has_properties_per_level) {
  const auto model = sweep_model({"10", "100"});
  const std::string xml = render(*make_junit_writer(), make_view(model));
  BOOST_TEST(contains(xml, R"(<property name="trend_level" value="n=100"/>)"));
  BOOST_TEST(contains(xml, R"(<property name="level.n=10.wall.median" value="100000"/>)"), xml);
  BOOST_TEST(contains(xml, R"(<property name="level.n=100.wall.n" value="10"/>)"));
  BOOST_TEST(contains(xml, R"x(value="n=10: wall.median@n=10 &lt; 1ms: 2.00 ms (failed)")x"), xml);
}

BOOST_AUTO_TEST_CASE(the_axis_is_logarithmic_for_a_geometric_sweep_only) {
  const auto axis = [](const std::vector<std::string>& values) {
    const auto model = sweep_model(values);
    return detail::sweep_axis_of(make_view(model).rows.at(0));
  };
  BOOST_TEST(axis({"10", "100", "1000"})->log);
  BOOST_TEST(axis({"10", "50", "100", "200", "500"})->log);
  BOOST_TEST(!axis({"10", "20", "30", "40"})->log);
  BOOST_TEST(!axis({"10", "30"})->log);   // two values less than a factor of 10 apart
  BOOST_TEST(axis({"10", "100"})->log);
  BOOST_TEST(!axis({"0", "10", "100"})->log);  // no log of 0
  BOOST_TEST(axis({"10", "100", "1000"})->parameter == "n");
  // Not one numeric parameter: drawn by position (plan_series' other path).
  auto words = sweep_model({"10", "20"});
  words.tests[0].levels[1].level = "mode=fast";
  BOOST_TEST(!detail::sweep_axis_of(make_view(words).rows.at(0)).has_value());
  auto pairs = sweep_model({"10", "20"});
  pairs.tests[0].levels[0].level = "n=10,m=2";
  BOOST_TEST(!detail::sweep_axis_of(make_view(pairs).rows.at(0)).has_value());
}

BOOST_AUTO_TEST_CASE(the_series_chart_draws_values_band_and_thresholds_of_every_level) {
  const auto model = sweep_model({"1000", "10", "100"});  // declared out of order
  const auto view = make_view(model);
  const auto plan = detail::plan_series(view.rows.at(0), "r0-series");
  const auto rows = data_rows(plan.data);
  BOOST_REQUIRE(rows.size() >= 3u);
  // Sorted by x, which is log10 of the value; the tic label is the value.
  BOOST_TEST(rows[0].starts_with("1\t"));
  BOOST_TEST(rows[1].starts_with("2\t"));
  BOOST_TEST(rows[2].starts_with("3\t"));
  BOOST_TEST(rows[2].ends_with("\t1000"));
  BOOST_TEST(contains(plan.script, "with filledcurves"));
  BOOST_TEST(contains(plan.script, "set xlabel 'n (log scale)'"));
  // The 50 ms threshold addresses every level (recorded three times, drawn once): inside the y
  // range of 0.1 to 10 ms? No: outside, so not drawn; the @n=10 one is never drawn.
  BOOST_TEST(!contains(plan.script, "title 'threshold'"));
  BOOST_TEST(contains(plan.caption, "wall median against n (log scale: a geometric sweep)"));
  BOOST_TEST(plan.points.size() == 3u);
  BOOST_TEST(plan.points[0].x == 1.0);
  BOOST_TEST(contains(plan.points[0].tip, "level n=10: median 100 us"));
  // A threshold inside the range is one line across the chart.
  auto low = model;
  for (auto& t : low.tests[0].history[2].thresholds) {
    if (!t.expr.level) t.expr = parse_threshold("wall.median < 5ms");
  }
  const auto lined = detail::plan_series(make_view(low).rows.at(0), "r0-series");
  BOOST_TEST(count(lined.script, "title 'threshold'") == 1u);
  BOOST_TEST(contains(lined.data, "\t5\n"));
  BOOST_TEST(contains(lined.caption, "dashed red: threshold wall.median < 5ms"));
}

BOOST_AUTO_TEST_CASE(hostile_levels_reach_the_script_only_through_the_whitelist) {
  auto model = sweep_model({"10", "20"});
  for (auto& l : model.tests[0].levels) l.level = "`touch /nonexistent/x`'\"=" + l.level.substr(2);
  const auto plan = detail::plan_series(make_view(model).rows.at(0), "r0-series");
  BOOST_TEST(!contains(plan.script, "`"));
  BOOST_TEST(!contains(plan.script, "touch /nonexistent/x'"));
  BOOST_TEST(!contains(plan.data, "`"));
}

BOOST_AUTO_TEST_CASE(the_adapter_reads_the_trend_level_and_every_level_from_the_history) {
  temp_folder tmp;
  store::sqlite_history_store history(tmp.dir / "h.sqlite");
  for (int s = 0; s < 3; ++s) {
    run_result r;
    r.name = "sort";
    r.command = {"/usr/bin/sort"};
    r.context.session_id = fmt::format("s{}", s);
    r.context.machine = "m";
    r.context.spec_hash = "h";
    r.started_at = fmt::format("2026-10-0{}T08:00:00.000Z", s + 1);
    r.finished_at = r.started_at;
    for (const char* n : {"10", "500"}) {
      result_point p;
      p.at = {{"n", n}};
      // Level n=10 regressed in the last session: it is the trend level then.
      p.outcome = s == 2 && std::string(n) == "10" ? verdict::regressed : verdict::pass;
      for (int k = 0; k < 4; ++k) {
        run_sample run;
        run.wall_ns = std::stoll(n) * 1000 * (s + 1) + k;
        p.runs.push_back(run);
      }
      p.summary["wall"] = summary_around(static_cast<double>(std::stoll(n) * 1000 * (s + 1)), 10);
      r.points.push_back(p);
    }
    r.outcome = s == 2 ? verdict::regressed : verdict::pass;
    BOOST_TEST(history.record(r));
  }
  const auto model = model_from_history(history, "latest", "test");
  BOOST_REQUIRE(model.tests.size() == 1u);
  const auto& test = model.tests[0];
  BOOST_TEST(test.trend_level == "n=10");
  BOOST_REQUIRE(test.levels.size() == 2u);
  BOOST_TEST(test.levels[1].level == "n=500");
  BOOST_TEST(test.levels[1].metrics.at(0).summary.median == 1.5e6);
  // The history is the trend level's series: 10, 20, 30 us.
  BOOST_REQUIRE(test.history.size() == 3u);
  for (int s = 0; s < 3; ++s) BOOST_TEST(test.history[s].find("wall")->summary.median == 1e4 * (s + 1));
  BOOST_TEST(test.samples.size() == 4u);
  BOOST_TEST(test.samples[0].wall_ns == 30000);
  // The earlier results pooled at that level are the baseline of the change shown.
  BOOST_REQUIRE(test.baseline.has_value());
  BOOST_TEST(test.baseline->baseline_value == 15001.5);  // the median of 10000..10003, 20000..20003
}

BOOST_AUTO_TEST_CASE(the_trend_draws_the_thresholds_of_its_level_once) {
  const auto model = sweep_model({"10", "100", "1000"});
  const auto view = make_view(model);
  const auto plan = detail::plan_trend(view.rows.at(0), "r0-trend");
  // Recorded at each of the three levels; the trend is n=1000's, so it names the threshold once.
  BOOST_TEST(count(plan.caption, "wall.median < 50ms") == 1u, plan.caption);
  BOOST_TEST(contains(plan.caption, "wall median at level n=1000 (of 3 levels"));
}
