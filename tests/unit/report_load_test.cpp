// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A load run in the reports (docs/load.md, "Reports"), read back from a history as `perfcheck
// report` reads it: its headline is latency (or, for a capacity search, the rate found); a run
// without levels has a load line; the per-level table of stages and capacity steps shows
// requests, latency p50 (p99), throughput, errors and dropped starts, and whether each capacity
// step held. The figures below are set by hand, so every expected text is worked out from them.
#define BOOST_TEST_MODULE report_load
#include <boost/test/unit_test.hpp>

#include "perfcheck/store/sqlite_history_store.hpp"
#include "reports/history_adapter.hpp"
#include "reports/report.hpp"
#include "reports/report_view.hpp"
#include "report_fixture.hpp"

using namespace report_fixture;

namespace {

metric_summary one(double value, std::size_t n = 1) {
  metric_summary s;
  s.n = n;
  s.min = s.max = s.mean = s.median = s.p90 = s.p95 = s.p99 = s.ci_low = s.ci_high = value;
  return s;
}

// A load run's figures: `requests` started, latency p50 `p50_ms` and p99 `p99_ms` (p90 and p95
// between, max 4 ms above p99), `errors` of them failed, `dropped` starts not made.
std::map<std::string, metric_summary> load_summary(double requests, double p50_ms, double p99_ms,
                                                   double throughput, double errors, double dropped) {
  metric_summary latency = one(p50_ms * 1e6, static_cast<std::size_t>(requests));
  latency.p90 = (p50_ms + 1) * 1e6;
  latency.p95 = (p50_ms + 2) * 1e6;
  latency.p99 = p99_ms * 1e6;
  latency.max = (p99_ms + 4) * 1e6;
  return {{"latency", latency},        {"requests", one(requests)},        {"throughput", one(throughput)},
          {"errors.count", one(errors)}, {"errors.rate", one(errors / requests)}, {"dropped", one(dropped)}};
}

run_result load_result(const std::string& name) {
  run_result r;
  r.name = name;
  r.command = {"load", "http://127.0.0.1:8080/"};
  r.context.session_id = "s0";
  r.context.machine = "m";
  r.context.spec_hash = "h-" + name;
  r.started_at = r.finished_at = "2026-10-01T08:00:00.000Z";
  return r;
}

result_point point(const std::string& name, const std::string& value, verdict outcome,
                   std::map<std::string, metric_summary> summary) {
  result_point p;
  p.at = {{name, value}};
  p.outcome = outcome;
  p.summary = std::move(summary);
  return p;
}

threshold_outcome gate(const std::string& at, bool ok, double measured_ns) {
  threshold_outcome t;
  t.expr = parse_threshold("latency.p99 < 50ms");
  t.at = at;
  t.value = measured_ns;
  t.ok = ok;
  return t;
}

// The model `perfcheck report` reads from a history in `tmp` holding `results`, its latest session.
report_model model_of(const temp_folder& tmp, const std::vector<run_result>& results) {
  store::sqlite_history_store history(tmp.dir / "h.sqlite");
  for (const auto& r : results) BOOST_REQUIRE(history.record(r));
  return model_from_history(history, "latest", "test");
}

// A plain run, a run in two stages (the second fails its gate) and a capacity search whose
// steps at 100/s and 200/s held and at 400/s did not, recorded in one session.
report_view view_of_history(const temp_folder& tmp, report_model& model) {
  run_result plain = load_result("plain");
  plain.summary = load_summary(200, 2.5, 9.25, 100, 3, 1);
  run_result staged = load_result("staged");
  staged.outcome = verdict::failed;
  staged.points = {point("stage", "1", verdict::pass, load_summary(100, 2, 3, 50, 0, 0)),
                   point("stage", "2", verdict::failed, load_summary(400, 120, 480, 190, 8, 2))};
  staged.thresholds = {gate("stage=1", true, 3e6), gate("stage=2", false, 480e6)};
  run_result capacity = load_result("capacity");
  capacity.summary["capacity"] = one(200);
  capacity.points = {point("rate", "100", verdict::pass, load_summary(500, 2, 4, 100, 0, 0)),
                     point("rate", "200", verdict::pass, load_summary(1000, 3, 6, 200, 0, 0)),
                     point("rate", "400", verdict::failed, load_summary(2000, 300, 900, 250, 0, 40))};
  model = model_of(tmp, {plain, staged, capacity});
  return make_view(model);
}

const test_row& row_named(const report_view& view, const std::string& name) {
  for (const auto& row : view.rows) {
    if (row.name == name) return row;
  }
  BOOST_FAIL("no row " + name);
  return view.rows.front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_plain_load_run_heads_with_its_latency_and_has_a_load_line) {
  temp_folder tmp;
  report_model model;
  const auto view = view_of_history(tmp, model);
  const test_row& row = row_named(view, "plain");
  BOOST_TEST(row.metric == "latency");
  BOOST_TEST(row.value_text == "2.50 ms");
  BOOST_TEST(row.runs_text == "200 responses");
  BOOST_TEST(row.levels.empty());
  BOOST_TEST(row.load_text == "Load: 200 requests · latency p50 2.50 ms, p90 3.50 ms, p95 4.50 ms, p99 9.25 ms, "
                              "max 13.2 ms · throughput 100/s · errors 3 (1.5%) · dropped 1");
  const std::string md = render(*make_markdown_writer(""), view);
  BOOST_TEST(contains(md, "- **plain** · Load: 200 requests · "), md);
}

BOOST_AUTO_TEST_CASE(stages_are_rows_of_requests_latency_throughput_errors_and_gates) {
  temp_folder tmp;
  report_model model;
  const auto view = view_of_history(tmp, model);
  const test_row& row = row_named(view, "staged");
  BOOST_TEST(row.metric == "latency");
  BOOST_TEST(row.runs_text == "2 stages");
  BOOST_TEST(row.load_text.empty());
  BOOST_TEST(row.level_runs_head == "Requests");
  BOOST_TEST(row.level_metric_head == "latency p50 (p99)");
  BOOST_REQUIRE(row.levels.size() == 2u);
  const level_row& burst = row.levels[1];
  BOOST_TEST(burst.level == "stage=2");
  BOOST_TEST(burst.runs == 400u);
  BOOST_TEST(burst.median_text == "120 ms (p99 480 ms)");
  BOOST_REQUIRE(burst.reported.size() == 3u);
  BOOST_TEST(reported_cell(burst.reported[0]) == "190/s");
  BOOST_TEST(reported_cell(burst.reported[1]) == "8 (2%)");
  BOOST_TEST(reported_cell(burst.reported[2]) == "2");
  BOOST_TEST(burst.bad);
  BOOST_TEST(!row.levels[0].bad);
  const std::string md = render(*make_markdown_writer(""), view);
  BOOST_TEST(contains(md, "| Level | Requests | latency p50 (p99) | throughput | errors | dropped | Thresholds |"), md);
  BOOST_TEST(contains(md, "| stage=1 | 100 | 2.00 ms (p99 3.00 ms) | 50.0/s | 0 (0%) | 0 | 1 held |"), md);
  BOOST_TEST(contains(md, "| stage=2 | 400 | 120 ms (p99 480 ms) | 190/s | 8 (2%) | 2 | 1 of 1 failed: "), md);
}

BOOST_AUTO_TEST_CASE(a_capacity_search_heads_with_the_rate_found_and_says_which_steps_held) {
  temp_folder tmp;
  report_model model;
  const auto view = view_of_history(tmp, model);
  const test_row& row = row_named(view, "capacity");
  BOOST_TEST(row.metric == "capacity");
  BOOST_TEST(row.value_text == "200/s");  // the whole's rate found, not a step's figure
  BOOST_TEST(row.runs_text == "3 steps");
  BOOST_REQUIRE(row.levels.size() == 3u);
  BOOST_TEST(row.levels[1].thresholds_text == "held");
  BOOST_TEST(!row.levels[1].bad);
  BOOST_TEST(row.levels[2].thresholds_text == "did not hold");
  BOOST_TEST(row.levels[2].bad);
  BOOST_TEST(reported_cell(row.levels[2].reported[2]) == "40");
  report_options options;
  options.out_dir = tmp.dir / "report";
  options.formats = {report_format::html};
  options.charts.gnuplot = (tmp.dir / "no-such-gnuplot").string();  // the tables, no charts
  write_reports(model, options);
  const std::string html = read(options.out_dir / "index.html");
  BOOST_TEST(contains(html, "<th>Requests</th><th>latency p50 (p99)</th><th><code>throughput</code></th>"), html);
  BOOST_TEST(contains(html, "<td class=\"bad\">did not hold</td>"), html);
}

BOOST_AUTO_TEST_CASE(the_trend_of_a_capacity_search_is_the_rate_found_session_by_session) {
  temp_folder tmp;
  std::vector<run_result> sessions;
  for (const auto& [session, found] : {std::pair{"s0", 190.0}, {"s1", 240.0}, {"s2", 200.0}}) {
    run_result r = load_result("capacity");
    r.context.session_id = session;
    r.started_at = r.finished_at = fmt::format("2026-10-0{}T08:00:00.000Z", session[1] - '0' + 1);
    r.summary["capacity"] = one(found);
    r.points = {point("rate", "100", verdict::pass, load_summary(500, 2, 4, 100, 0, 0)),
                point("rate", fmt::format("{:.0f}", found * 1.05), verdict::failed, load_summary(900, 300, 900, 150, 0, 3))};
    sessions.push_back(r);
  }
  const auto model = model_of(tmp, sessions);
  BOOST_REQUIRE(model.tests.size() == 1u);
  BOOST_TEST(model.tests[0].trend_level.empty());  // the whole's, not a step's
  const auto view = make_view(model);
  const test_row& row = view.rows.at(0);
  BOOST_TEST(row.metric == "capacity");
  BOOST_TEST(row.series == (std::vector<double>{190, 240, 200}), boost::test_tools::per_element());
  BOOST_TEST(row.value_text == "200/s");
  BOOST_REQUIRE(row.levels.size() == 2u);  // the steps of the reported session still have their table
  BOOST_TEST(row.levels[1].level == "rate=210");
  BOOST_TEST(row.levels[1].thresholds_text == "did not hold");
}

BOOST_AUTO_TEST_CASE(a_load_run_that_got_no_answer_is_still_reported_as_one) {
  temp_folder tmp;
  run_result r = load_result("down");
  r.outcome = verdict::error;
  r.summary = {{"requests", one(20)}, {"throughput", one(0)}, {"errors.count", one(20)},
               {"errors.rate", one(1)}, {"dropped", one(0)}};  // every connect failed: no latency
  const auto model = model_of(tmp, {r});
  const auto view = make_view(model);
  const test_row& row = view.rows.at(0);
  BOOST_TEST(row.metric == "latency");
  BOOST_TEST(row.load_text == "Load: 20 requests · throughput 0/s · errors 20 (100%) · dropped 0");
}

BOOST_AUTO_TEST_CASE(a_command_that_reports_a_metric_named_capacity_is_no_capacity_search) {
  temp_folder tmp;
  run_result r = load_result("pool");
  r.command = {"/usr/bin/pool"};
  for (int k = 0; k < 3; ++k) {
    run_sample run;
    run.wall_ns = 1'000'000 + k;
    r.runs.push_back(run);
  }
  r.summary = {{"wall", summary_around(1e6, 1)}, {"capacity", one(64, 3)}};
  const auto model = model_of(tmp, {r});
  BOOST_TEST(model.tests.at(0).headline_metric == "wall");
  BOOST_TEST(!is_load_test(model.tests.at(0)));
}
