// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Reports of sweeps: the history adapter reads a sweep's trend level and every level's figures
// from a real history; summary.md has a table per level, junit.xml properties per level; the
// series chart draws a sweep of one numeric parameter against its values (a log axis for a
// geometric sweep), with the median's interval as a band and the thresholds of every level, a
// complexity gate's fitted curve and a breaking point's level (golden/chart-sweep-gates.*).
// (Reports of plain tests are the golden files of report_test, unchanged.)
//
// Golden files: after an intended change, regenerate them with
//   PERFCHECK_UPDATE_GOLDEN=1 <build>/bin/report_sweep_test --run_test=golden
// and review the diff.
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
report_model sweep_model(const std::vector<std::string>& values, const std::string& name = "sort",
                         const std::string& parameter = "n") {
  report_test test;
  test.name = name;
  for (int i = 0; i < 3; ++i) test.history.push_back(result_at(i, 5.0 + i, false));
  test.current = 2;
  auto& current = test.history[2];
  for (const auto& v : values) {
    const std::string level = parameter + "=" + v;
    test.levels.push_back({level, {{"wall", summary_around(std::stod(v) * 1e4, 1e3), std::nullopt}}});
    threshold_outcome every{parse_threshold("wall.median < 50ms"), std::stod(v) * 1e4, true};
    every.at = level;
    current.thresholds.push_back(every);
  }
  threshold_outcome one{parse_threshold("wall.median@" + parameter + "=" + values.front() + " < 1ms"), 2e6, false};
  one.at = parameter + "=" + values.front();
  current.thresholds.push_back(one);
  test.trend_level = test.levels.back().level;
  report_model m;
  m.session.id = "s02";
  m.tests = {test};
  return m;
}

// A complexity gate's outcome as series_gates makes it: wall.median ~ O(n), fitted n log n with
// y = 50 us + 1.3 us * n ln n (base unit ns), not met unless `ok`.
threshold_outcome complexity_outcome(bool ok, const std::string& metric = "wall.median") {
  const std::string text = metric + " ~ O(n)";
  threshold_outcome t{parse_every_level_subject(text, metric), 1.02, ok};
  t.expr.text = text;
  complexity_part& c = t.complexity.emplace();
  c.parameter = "n";
  c.bound = "n";
  c.fitted = "n log n";
  c.intercept = 5e4;
  c.coefficient = 1.3e3;
  c.slope = 1.02;
  c.slope_low = 0.98;
  c.slope_high = 1.06;
  c.p_value = c.p_adjusted = 0.001;
  c.points = 30;
  c.levels = 3;
  return t;
}

// A breaking point as series_gates makes it: wall.p99 < 2ms holds up to n=100, fails at 1000.
threshold_outcome breaking_outcome() {
  threshold_outcome t{parse_threshold("wall.p99 < 2ms"), 100, true};
  t.expr.text = "breaking_point(wall.p99 < 2ms) >= 100";
  breaking_point_part& b = t.breaking_point.emplace();
  b.parameter = "n";
  b.level = "100";
  b.first_failed = "1000";
  b.op = ">=";
  b.limit = 100;
  return t;
}

// The sweep model with the gates of `outcomes` in its current result.
report_model gated_model(std::vector<threshold_outcome> outcomes) {
  auto model = sweep_model({"10", "100", "1000"});
  auto& thresholds = model.tests[0].history[2].thresholds;
  thresholds.insert(thresholds.end(), outcomes.begin(), outcomes.end());
  return model;
}

// The data set `index` of a chart's data file (data sets end with two blank lines).
std::string data_set(const std::string& data, int index) {
  std::size_t begin = 0;
  for (int i = 0; i < index; ++i) begin = data.find("\n\n\n", begin) + 3;
  return data.substr(begin, data.find("\n\n\n", begin) - begin);
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

BOOST_AUTO_TEST_SUITE(golden)

// A geometric sweep with a failed complexity gate and a breaking point: the fitted curve and the
// vertical line at the level found, as data sets after the points.
BOOST_AUTO_TEST_CASE(sweep_gates) {
  const auto model = gated_model({complexity_outcome(false), breaking_outcome()});
  const auto plan = detail::plan_series(make_view(model).rows.at(0), "r0-sweep");
  check_golden("chart-sweep-gates.gp", plan.script);
  check_golden("chart-sweep-gates.dat", plan.data);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(the_fitted_curve_is_intercept_plus_coefficient_times_g_over_the_x_range) {
  const auto plan = detail::plan_series(make_view(gated_model({complexity_outcome(false)})).rows.at(0), "r0");
  BOOST_TEST(contains(plan.script, "index 1 using 1:2 with lines dt 4 lw 2 lc rgb \"#ef6c00\" title "
                                   "'fitted O(n log n), O(n) not met'"),
             plan.script);
  const auto rows = data_rows(data_set(plan.data, 1));
  BOOST_REQUIRE(rows.size() == 65u);
  const double divisor = plan.geometry.unit.divisor;
  BOOST_TEST(divisor == 1e6);  // ms: the levels' medians are 0.1 to 10 ms
  // From the left edge of the padded log axis to its right edge: log10(10) - 0.1 to log10(1000) + 0.1.
  BOOST_TEST(std::stod(rows.front()) == 0.9, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(std::stod(rows.back()) == 3.1, boost::test_tools::tolerance(1e-9));
  // Row 32 is x = 2, n = 100: 50 us + 1.3 us * 100 * ln 100 = 50 + 598.672 us = 0.648672 ms.
  BOOST_TEST(rows[32] == "2\t0.648672");
  for (std::size_t i : {std::size_t{0}, std::size_t{20}, std::size_t{64}}) {
    const std::string& row = rows[i];
    const double x = std::stod(row);
    const double n = std::exp(x * std::log(10.0));
    const double expected = (50e3 + 1.3e3 * n * std::log(n)) / 1e6;
    BOOST_TEST(std::stod(row.substr(row.find('\t') + 1)) == expected, boost::test_tools::tolerance(1e-5));
  }
  BOOST_TEST(contains(plan.caption, "; dash-dot orange: wall.median ~ O(n) fitted O(n log n), "
                                    "y = 50.0 us + 1.30 us * n ln n, log-log slope 1.02 [0.98, 1.06]: "
                                    "bound O(n) not met"),
             plan.caption);
  // Met: the key says nothing more than the fit, the caption says it is met.
  const auto met = detail::plan_series(make_view(gated_model({complexity_outcome(true)})).rows.at(0), "r0");
  BOOST_TEST(contains(met.script, "title 'fitted O(n log n)'\n"), met.script);
  BOOST_TEST(contains(met.caption, ": bound O(n) met."), met.caption);
}

BOOST_AUTO_TEST_CASE(the_fitted_curve_of_a_linear_axis_is_its_values) {
  auto model = sweep_model({"10", "20", "30", "40"});
  auto t = complexity_outcome(true);
  t.complexity->fitted = "n^2";
  t.complexity->intercept = 1e4;
  t.complexity->coefficient = 200;
  model.tests[0].history[2].thresholds.push_back(t);
  const auto plan = detail::plan_series(make_view(model).rows.at(0), "r0");
  BOOST_TEST(contains(plan.script, "title 'fitted O(n^2)'"), plan.script);
  BOOST_TEST(contains(plan.caption, "y = 10.0 us + 200 ns * n^2"), plan.caption);
  const auto rows = data_rows(data_set(plan.data, 1));
  BOOST_REQUIRE(rows.size() == 65u);
  const auto y = [&](const std::string& row) {
    return std::stod(row.substr(row.find('\t') + 1)) * plan.geometry.unit.divisor;
  };
  // x from 10 - 1.5 to 40 + 1.5; at x = 8.5: 10 us + 200 ns * 72.25 = 24.45 us.
  BOOST_TEST(rows.front().starts_with("8.5\t"));
  BOOST_TEST(y(rows.front()) == 24450.0, boost::test_tools::tolerance(1e-5));
  // At x = 41.5: 10 us + 200 ns * 1722.25 = 354.45 us.
  BOOST_TEST(rows.back().starts_with("41.5\t"));
  BOOST_TEST(y(rows.back()) == 354450.0, boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(the_fit_is_named_in_the_sweeps_own_parameter) {
  auto model = sweep_model({"10", "20", "30", "40"}, "sort", "size");
  auto t = complexity_outcome(false);
  t.expr.text = "wall.median ~ O(size)";
  t.complexity->parameter = "size";
  // series_gates stores the classes by stats::growth_name, in n: "n", "n log n".
  model.tests[0].history[2].thresholds.push_back(t);
  const auto plan = detail::plan_series(make_view(model).rows.at(0), "r0");
  BOOST_TEST(contains(plan.script, "title 'fitted O(size log size), O(size) not met'"), plan.script);
  BOOST_TEST(contains(plan.caption, "fitted O(size log size), y = 50.0 us + 1.30 us * size ln size"),
             plan.caption);
  BOOST_TEST(contains(plan.caption, ": bound O(size) not met"), plan.caption);
  BOOST_TEST(!contains(plan.script + plan.caption, "O(n"), plan.script + plan.caption);
}

BOOST_AUTO_TEST_CASE(only_a_gate_on_the_charts_metric_statistic_and_every_level_is_drawn) {
  const auto drawn = [](threshold_outcome t) {
    const auto plan = detail::plan_series(make_view(gated_model({std::move(t)})).rows.at(0), "r0");
    return contains(plan.script, "'fitted");
  };
  BOOST_TEST(drawn(complexity_outcome(true)));
  BOOST_TEST(!drawn(complexity_outcome(true, "cpu.median")));  // another metric
  BOOST_TEST(!drawn(complexity_outcome(true, "wall.p95")));    // another statistic
  auto grouped = complexity_outcome(true);
  grouped.at = "m=2";  // one group of another parameter's values: not this chart's levels
  BOOST_TEST(!drawn(grouped));
  auto other = complexity_outcome(true);
  other.complexity->parameter = "m";
  BOOST_TEST(!drawn(other));
  auto unfitted = complexity_outcome(false);
  unfitted.complexity->fitted = "";  // not evaluated
  unfitted.measured = false;
  BOOST_TEST(!drawn(unfitted));
}

BOOST_AUTO_TEST_CASE(the_breaking_point_is_a_vertical_line_at_the_level_found) {
  const auto plan = detail::plan_series(make_view(gated_model({breaking_outcome()})).rows.at(0), "r0");
  BOOST_TEST(contains(plan.script, "set label 'breaking point 100' at 2, graph 0.96 left offset character 0.5, 0"),
             plan.script);
  BOOST_TEST(contains(plan.script, "index 1 using 1:2 with lines dt 3 lw 2 lc rgb \"#6a1b9a\" notitle"));
  const auto rows = data_rows(data_set(plan.data, 1));
  BOOST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(rows[0] == "2\t" + detail::num(plan.geometry.y_lo));  // log10(100)
  BOOST_TEST(rows[1] == "2\t" + detail::num(plan.geometry.y_hi));
  BOOST_TEST(contains(plan.caption, "; dotted purple: breaking_point(wall.p99 < 2ms) >= 100: breaking point 100, "
                                    "fails at 1000 (gate met)."),
             plan.caption);
  // The first level failing: the line is there, and says so; no level failing; a hostile level.
  auto first = breaking_outcome();
  first.breaking_point->level.reset();
  first.breaking_point->first_failed = "10";
  first.ok = false;
  const auto at_first = detail::plan_series(make_view(gated_model({first})).rows.at(0), "r0");
  BOOST_TEST(contains(at_first.script, "set label 'fails at 10, not met' at 1, graph 0.96 left"), at_first.script);
  BOOST_TEST(contains(at_first.caption, "breaking point: fails at the first level 10 (gate not met)."));
  BOOST_TEST(data_rows(data_set(at_first.data, 1)).at(0).starts_with("1\t"));
  auto none = breaking_outcome();
  none.breaking_point->level = "1000";
  none.breaking_point->first_failed = "";
  none.breaking_point->op = "";
  const auto no_fail = detail::plan_series(make_view(gated_model({none})).rows.at(0), "r0");
  // Reported only (no comparison), at the right edge: labelled on the line's left.
  BOOST_TEST(contains(no_fail.script, "set label 'breaking point 1000' at 3, graph 0.96 right offset character -0.5"),
             no_fail.script);
  BOOST_TEST(contains(no_fail.caption, "breaking point 1000, no level fails."));
  // A hostile first failing level: the caption names it (escaped as HTML later); the script's
  // label holds only the level found, a parsed number, so nothing of it reaches gnuplot.
  auto hostile = breaking_outcome();
  hostile.breaking_point->first_failed = "`touch /nonexistent/x`'";
  const auto safe = detail::plan_series(make_view(gated_model({hostile})).rows.at(0), "r0");
  BOOST_TEST(!contains(safe.script, "`"));
  BOOST_TEST(!contains(safe.data, "`"));
  BOOST_TEST(contains(safe.caption, "fails at `touch /nonexistent/x`' (gate met)"));
  // Labelled by the hostile text itself (the first level fails, so it would name that one):
  // not a number, so neither a line nor a label.
  hostile.breaking_point->level.reset();
  const auto first_hostile = detail::plan_series(make_view(gated_model({hostile})).rows.at(0), "r0");
  BOOST_TEST(!contains(first_hostile.script, "fails at"), first_hostile.script);
  BOOST_TEST(!contains(first_hostile.script, "`"));
  hostile.breaking_point->level = "`x`";  // not a number: no line
  const auto skipped = detail::plan_series(make_view(gated_model({hostile})).rows.at(0), "r0");
  BOOST_TEST(!contains(skipped.script, "breaking point"));
}
