// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A soak's trends (docs/limits.md, "Soak and leaks") in the reports: the history adapter keeps
// the result's own and each level's, in that order; summary.md lists them with the test's
// details, index.html has a line each (marked bad when memory or time grew significantly), and
// report.json carries them with the figures they were decided on.
#define BOOST_TEST_MODULE report_soak_trends
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "perfcheck/store/sqlite_history_store.hpp"
#include "reports/history_adapter.hpp"
#include "reports/report.hpp"
#include "report_fixture.hpp"

using namespace report_fixture;

namespace {

// A leak of 1 MiB/s over a 2 s soak: +25% from 8 MiB to 10 MiB, p = 0.0012.
trend_outcome leak() {
  trend_outcome t;
  t.n = 40;
  t.slope = 1024.0 * 1024.0;
  t.start = 8.0 * 1024 * 1024;
  t.end = 10.0 * 1024 * 1024;
  t.change = 0.25;
  t.p_value = 0.0012;
  t.significant = true;
  t.window_ns = 2000000000;
  return t;
}

trend_outcome steady() {
  trend_outcome t;
  t.n = 40;
  t.window_ns = 2000000000;
  t.p_value = 0.8;
  return t;
}

report_model soak_model() {
  report_test test;
  test.name = "leaky";
  for (int i = 0; i < 2; ++i) test.history.push_back(result_at(i, 5.0, false));
  test.current = 1;
  test.trends = {{"", "rss", leak()}, {"leak=1", "threads", steady()}};
  report_model m;
  m.session.id = "s01";
  m.tests = {test};
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(summary_md_lists_each_trend_with_its_level) {
  const std::string md = render(*make_markdown_writer(""), make_view(soak_model()));
  BOOST_TEST(contains(md, "- **leaky** · trend rss +25.0% over 2.00 s (60.0 MiB/min, Mann-Kendall p = 0.0012, "
                          "significant) · trend leak=1: threads +0.0% over 2.00 s (0 threads/min, Mann-Kendall "
                          "p = 0.8, no trend)"),
             md);
}

BOOST_AUTO_TEST_CASE(index_html_has_a_line_per_trend_marked_by_its_decision) {
  temp_folder tmp;
  report_options options;
  options.out_dir = tmp.dir;
  options.formats = {report_format::html};
  options.charts.gnuplot = (tmp.dir / "no-such-gnuplot").string();
  write_reports(soak_model(), options);
  const std::string html = read(tmp.dir / "index.html");
  BOOST_TEST(contains(html, "<p class=\"trend bad\">Soak trend rss +25.0% over 2.00 s (60.0 MiB/min, "
                            "Mann-Kendall p = 0.0012, significant)</p>"),
             html);
  BOOST_TEST(contains(html, "<p class=\"trend good\">Soak trend at <code>leak=1</code>: threads +0.0% over"));
}

BOOST_AUTO_TEST_CASE(report_json_carries_the_trends_and_a_test_without_a_soak_none) {
  const auto json = boost::json::parse(render(*make_json_writer(), make_view(soak_model())));
  const auto& trends = json.at("tests").at(0).at("trends").as_array();
  BOOST_REQUIRE(trends.size() == 2u);
  BOOST_TEST(trends[0].at("level").is_null());
  BOOST_TEST(trends[0].at("metric").as_string() == "rss");
  BOOST_TEST(trends[0].at("change").as_double() == 0.25);
  BOOST_TEST(trends[0].at("slope").as_double() == 1048576.0);  // bytes per second
  BOOST_TEST(trends[0].at("significant").as_bool());
  BOOST_TEST(trends[0].at("window_ns").as_int64() == 2000000000);
  BOOST_TEST(trends[1].at("level").as_string() == "leak=1");
  BOOST_TEST(!trends[1].at("significant").as_bool());
  report_model plain = soak_model();
  plain.tests[0].trends.clear();
  const auto none = boost::json::parse(render(*make_json_writer(), make_view(plain)));
  BOOST_TEST(!none.at("tests").at(0).as_object().contains("trends"));
}

BOOST_AUTO_TEST_CASE(the_adapter_keeps_the_results_trends_then_each_levels) {
  temp_folder tmp;
  store::sqlite_history_store history(tmp.dir / "h.sqlite");
  run_result r;
  r.name = "leaky";
  r.command = {"/usr/bin/leaky"};
  r.context.session_id = "s0";
  r.context.machine = "m";
  r.context.spec_hash = "h";
  r.started_at = r.finished_at = "2026-10-01T08:00:00.000Z";
  for (const int leak_kib : {0, 64}) {
    result_point p;
    p.at = {{"leak", std::to_string(leak_kib)}};
    run_sample run;
    run.wall_ns = 1000000;
    p.runs = {run, run};
    p.summary["wall"] = summary_around(1e6, 1);
    p.trends["rss"] = leak_kib == 0 ? steady() : leak();
    r.points.push_back(p);
  }
  BOOST_TEST(history.record(r));
  const auto model = model_from_history(history, "latest", "test");
  BOOST_REQUIRE(model.tests.size() == 1u);
  const auto& trends = model.tests[0].trends;
  BOOST_REQUIRE(trends.size() == 2u);
  BOOST_TEST(trends[0].level == "leak=0");
  BOOST_TEST(!trends[0].trend.significant);
  BOOST_TEST(trends[1].level == "leak=64");
  BOOST_TEST(trends[1].metric == "rss");
  BOOST_TEST((trends[1].trend == leak()));
}
