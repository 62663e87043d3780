// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The charts of the HTML report: golden gnuplot scripts and data per chart kind, the thinning
// of long trends (LTTB against hand-worked examples), thresholds outside the data, tic labels of
// one day, and the gnuplot batch (every process it starts is reaped, also when a later script
// cannot be written).
//
// Golden files: tests/unit/golden/chart-*. After an intended change, regenerate them with
//   PERFCHECK_UPDATE_GOLDEN=1 <build>/bin/report_charts_test --run_test=golden
// and review the diff.
#define BOOST_TEST_MODULE report_charts
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <span>
#include <system_error>

#include "report_fixture.hpp"
#include "reports/chart_plan.hpp"
#include "reports/gnuplot_batch.hpp"
#include "reports/series_thinning.hpp"
#include "reports/svg_compaction.hpp"
#include "reports/svg_paths.hpp"
#include "reports/synthetic_model.hpp"

using namespace report_fixture;
using namespace std::chrono_literals;

namespace {

const test_row& row_named(const report_view& view, const std::string& name) {
  for (const auto& row : view.rows) {
    if (row.name == name) return row;
  }
  throw std::runtime_error("no row " + name);
}

// Compares the script and the data of the `kind` chart of the golden model's row `row` with
// golden/chart-<kind>.gp and .dat.
void check_plan(const std::string& kind, const std::string& row,
                detail::chart_plan (*planner)(const test_row&, const std::string&)) {
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  const auto plan = planner(row_named(view, row), "r1-" + kind);
  check_golden("chart-" + kind + ".gp", plan.script);
  check_golden("chart-" + kind + ".dat", plan.data);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(golden)

// parse_big_json has a trend (a level shift, a threshold, a baseline, sampled bands), a
// distribution and a memory timeline; the hostile row has levels whose labels reach the data
// file only through the whitelist.
BOOST_AUTO_TEST_CASE(trend) { check_plan("trend", "parse_big_json", detail::plan_trend); }

BOOST_AUTO_TEST_CASE(distribution) {
  check_plan("distribution", "parse_big_json", detail::plan_distribution);
}

BOOST_AUTO_TEST_CASE(memory) { check_plan("memory", "parse_big_json", detail::plan_memory); }

BOOST_AUTO_TEST_CASE(series) { check_plan("series", golden_hostile, detail::plan_series); }

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_failing_batch_leaves_no_gnuplot_behind) {
  temp_folder tmp;
  const fs::path slow = tmp.dir / "slow-gnuplot";
  std::ofstream(slow) << "#!/bin/sh\nexec sleep 30\n";
  fs::permissions(slow, fs::perms::owner_all);
  fs::create_directory(tmp.dir / "batch1.gp");  // the second script cannot be written
  const auto started = std::chrono::steady_clock::now();
  BOOST_CHECK_EXCEPTION(run_gnuplot_batch(slow.string(), tmp.dir, {"plot 1\n", "plot 2\n"}, 60s),
                        std::system_error,
                        [](const std::system_error& e) { return contains(e.what(), "batch1.gp"); });
  BOOST_TEST(fs::exists(tmp.dir / "batch0.log"));  // the first gnuplot had been started
  errno = 0;
  BOOST_TEST(::waitpid(-1, nullptr, WNOHANG) == -1);  // and no child is left, not even a zombie
  BOOST_TEST(errno == ECHILD);
  BOOST_TEST((std::chrono::steady_clock::now() - started < 20s));
}

BOOST_AUTO_TEST_CASE(a_batch_past_its_limit_is_killed_and_reaped) {
  temp_folder tmp;
  const fs::path slow = tmp.dir / "slow-gnuplot";
  std::ofstream(slow) << "#!/bin/sh\nexec sleep 30\n";
  fs::permissions(slow, fs::perms::owner_all);
  const auto outcomes = run_gnuplot_batch(slow.string(), tmp.dir, {"plot 1\n", ""}, 1s);
  BOOST_REQUIRE(outcomes.size() == 2u);
  BOOST_TEST(outcomes[0].started);
  BOOST_TEST(WIFSIGNALED(outcomes[0].status));
  BOOST_TEST(!outcomes[1].started);  // an empty script starts nothing
  errno = 0;
  BOOST_TEST(::waitpid(-1, nullptr, WNOHANG) == -1);
  BOOST_TEST(errno == ECHILD);
}

BOOST_AUTO_TEST_CASE(a_missing_gnuplot_is_an_outcome_not_an_error) {
  temp_folder tmp;
  const auto outcomes =
      run_gnuplot_batch((tmp.dir / "no-such-gnuplot").string(), tmp.dir, {"plot 1\n"}, 5s);
  BOOST_TEST(!outcomes[0].started);
  BOOST_TEST(outcomes[0].spawn_error == ENOENT);
}

BOOST_AUTO_TEST_CASE(lttb_matches_hand_worked_examples) {
  // x = 0..6, y = 0 1 5 2 0 3 0 to 4 points: every = 5/2, buckets {1, 2} and {3, 4, 5}.
  // Bucket {1, 2}: a = (0, 0), the next bucket's mean (4, 5/3); doubled triangle areas
  // |5x/3 - 4y| are 7/3 for (1, 1) and 50/3 for (2, 5): 2 is kept.
  // Bucket {3, 4, 5}: a = (2, 5), the last point (6, 0); |30 - 5x - 4y| is 7, 10, 7: 4 is kept.
  const std::vector<double> x = {0, 1, 2, 3, 4, 5, 6}, y = {0, 1, 5, 2, 0, 3, 0};
  BOOST_TEST(detail::lttb(x, y, 4) == (std::vector<std::size_t>{0, 2, 4, 6}),
             boost::test_tools::per_element());
  // One bucket {1, 2, 3} between (0, 0) and (4, 0): the doubled area is 4y, the spike wins.
  const std::vector<double> x5 = {0, 1, 2, 3, 4}, y5 = {0, 0, 9, 0, 0};
  BOOST_TEST(detail::lttb(x5, y5, 3) == (std::vector<std::size_t>{0, 2, 4}),
             boost::test_tools::per_element());
  // Nothing to thin.
  BOOST_TEST(detail::lttb(x5, y5, 5).size() == 5u);
  BOOST_TEST(detail::lttb(x5, y5, 2).size() == 5u);
}

BOOST_AUTO_TEST_CASE(thinning_keeps_the_points_that_must_stay_and_its_bound) {
  std::vector<double> y(1000);
  double level = 10;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (i == 400) level = 14;  // a step
    y[i] = level + 0.3 * std::sin(static_cast<double>(i) * 0.7);
  }
  y[777] = 40;  // a spike LTTB must keep by itself
  const std::vector<std::size_t> always = {399, 400, 512, 998, 999};
  const auto kept = detail::thin_series(y, always, 250);
  BOOST_TEST(kept.size() <= 250u);
  BOOST_TEST(kept.size() >= 240u);
  BOOST_TEST(std::is_sorted(kept.begin(), kept.end()));
  BOOST_TEST((std::adjacent_find(kept.begin(), kept.end()) == kept.end()));
  for (std::size_t i : always) BOOST_TEST(std::binary_search(kept.begin(), kept.end(), i));
  BOOST_TEST(std::binary_search(kept.begin(), kept.end(), std::size_t{0}));
  BOOST_TEST(std::binary_search(kept.begin(), kept.end(), std::size_t{777}));
  // Short series are drawn whole; more must-keep points than the budget are all kept.
  BOOST_TEST(detail::thin_series(std::span(y).first(200), {}, 250).size() == 200u);
  std::vector<std::size_t> many;
  for (std::size_t i = 0; i < 1000; i += 3) many.push_back(i);
  const auto crowded = detail::thin_series(y, many, 250);
  BOOST_TEST(crowded.size() <= many.size() + 3);
  for (std::size_t i : many) BOOST_TEST(std::binary_search(crowded.begin(), crowded.end(), i));
}

BOOST_AUTO_TEST_CASE(a_long_trend_is_thinned_keeping_change_points_failures_and_the_latest) {
  synthetic_options o;
  o.tests = 2;  // test 0 fails in its current result
  o.results = 1000;
  auto model = make_synthetic_model(o);
  auto& history = model.tests[0].history;
  history[123].outcome = verdict::error;
  const auto view = make_view(model);
  const test_row& row = row_named(view, model.tests[0].name);
  const auto plan = detail::plan_trend(row, "r0-trend");
  BOOST_TEST(plan.points.size() <= 200u);
  BOOST_TEST(plan.points.size() >= 150u);
  // One data line per drawn point in data set 0.
  const std::string first_set = plan.data.substr(0, plan.data.find("\n\n\n"));
  BOOST_TEST(count(first_set, "\n") + 1 == plan.points.size());
  const auto drawn = [&](std::size_t k) {  // 0-based position in the series
    for (const auto& p : plan.points) {
      if (p.x == static_cast<double>(k + 1)) return true;
    }
    return false;
  };
  BOOST_TEST(drawn(row.series.size() - 1));
  BOOST_TEST(std::string(plan.points.back().css) == "pt cur");
  BOOST_TEST(drawn(123));
  for (std::size_t c : row.segments.changepoints) {
    BOOST_TEST(drawn(c - 1));
    BOOST_TEST(drawn(c));
  }
  BOOST_TEST(contains(plan.caption, "largest-triangle-three-buckets"));
  // The bands: at most 100 rows, each the envelope of its drawn points, spanning the line.
  const std::size_t bands_at = plan.data.find("\n\n\n") + 3;
  const std::string bands = plan.data.substr(bands_at, plan.data.find("\n\n\n", bands_at) - bands_at);
  BOOST_TEST(count(bands, "\n") + 1 == 100u);
  BOOST_TEST(bands.starts_with(fmt::format("{}\t", plan.points.front().x)));
  BOOST_TEST(contains(bands, fmt::format("\n{}\t", plan.points.back().x)));
  // The points that must stay have their whole tooltip in the page; the others share the
  // start of theirs ("commit · date · median") through the page's key list.
  std::size_t titled = 0;
  for (const auto& p : plan.points) {
    BOOST_TEST(contains(p.key, " · median"));
    BOOST_TEST(!contains(p.tip, "median"));
    const auto k = static_cast<std::size_t>(p.x) - 1;
    const bool must = k == row.series.size() - 1 || k == 123 ||
                      std::any_of(row.segments.changepoints.begin(), row.segments.changepoints.end(),
                                  [&](std::size_t c) { return k == c || k + 1 == c; });
    if (must) BOOST_TEST(p.titled, "point " << k);
    titled += p.titled;
  }
  BOOST_TEST(titled <= 2 * row.segments.changepoints.size() + 3);
}

BOOST_AUTO_TEST_CASE(path_data_becomes_relative_steps_on_a_tenth_pixel_grid) {
  using detail::polygon_path;
  using detail::relative_path;
  BOOST_TEST(*relative_path("M68.40,200.58 L725.00,200.04") == "M68.4 200.6l656.6-.6");
  BOOST_TEST(*relative_path("M1,1 L5,1 L5,3 L2.25,0.5 Z M10,10 L11,11") ==
             "M1 1h4v2l-2.7-2.5zm9 9 1 1");  // 2.25 rounds to 2.3 (the step is exact)
  BOOST_TEST(*relative_path("M0,0 L0.04,0.06 L0.08,0.12") == "M0 0v.1h.1");
  // A long path keeps every vertex on its rounded absolute place: no drift.
  std::string d = "M0,0";
  for (int i = 1; i <= 500; ++i) d += fmt::format(" L{:.2f},{:.2f}", i * 1.33, 50 + 40 * std::sin(i));
  const std::string rel = *relative_path(d);
  double x = 0, y = 0;
  int vertex = 0;
  char command = 0;
  BOOST_TEST_REQUIRE(rel.starts_with("M0 0"));
  for (std::size_t pos = 4; pos < rel.size();) {
    if (rel[pos] == ' ') ++pos;
    if (std::isalpha(static_cast<unsigned char>(rel[pos]))) command = rel[pos++];
    std::size_t used = 0;
    const double a = std::stod(rel.substr(pos), &used);
    pos += used;
    if (command == 'h') {
      x += a;
    } else if (command == 'v') {
      y += a;
    } else {
      if (rel[pos] == ' ') ++pos;
      x += a;
      y += std::stod(rel.substr(pos), &used);
      pos += used;
    }
    ++vertex;
    BOOST_TEST(std::fabs(x - std::round(vertex * 13.3) / 10) < 1e-6);
    BOOST_TEST(std::fabs(y - std::round(std::round((50 + 40 * std::sin(vertex)) * 100) / 10) / 10) < 1e-6);
  }
  BOOST_TEST(vertex == 500);
  // What it does not know stays as it is.
  BOOST_TEST(!relative_path("M0,0 C1,1 2,2 3,3"));
  BOOST_TEST(!relative_path("M0,0 L1e3,2"));
  BOOST_TEST(!relative_path("M0,0 L1"));
  BOOST_TEST(!relative_path("L1,1"));
  BOOST_TEST(*polygon_path("1,1 3,1 3,4.04") == "M1 1h2v3z");
  BOOST_TEST(!polygon_path("1,1 3"));
  BOOST_TEST(!polygon_path("1,1"));
}

BOOST_AUTO_TEST_CASE(compaction_writes_polygons_as_paths_and_common_attributes_as_classes) {
  const std::string out = compact_svg(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
      "viewBox=\"0 0 9 9\"><g id=\"c1-gnuplot_plot_2\"><title>gnuplot_plot_2</title><path d='M1,1 L2,1'/></g>"
      "<g fill=\"none\" color=\"black\" stroke=\"currentColor\">"
      "<g stroke='none' shape-rendering='crispEdges'><polygon fill='rgb(1, 2, 3)' "
      "points='68.70,89.50 70.70,110.50 72.70,91.20 '/></g>"
      "<path stroke='rgb(102, 102, 102)' class=\"own\" d='M1,1 L2,2'/>"
      "<path stroke='rgb(230, 230, 230)' stroke-dasharray='2,4' class=\"gridline\" d='M1,1 L3,1'/>"
      "</g></svg>");
  BOOST_TEST(contains(out, "<g class=\"ga\"><g class=\"sc\"><path fill='rgb(1, 2, 3)' "
                           "d='M68.7 89.5l2 21 2-19.3z'/></g>"),
             out);
  // An element with a class of its own keeps its attributes.
  BOOST_TEST(contains(out, "<path stroke='rgb(102, 102, 102)' class=\"own\" d='M1 1l1 1'/>"), out);
  BOOST_TEST(contains(out, "<path class=\"gridline\" d='M1 1h2'/>"), out);
  BOOST_TEST(!contains(out, "polygon"));
  // Inline in HTML: no namespace declarations; gnuplot's plot names are no tooltips.
  BOOST_TEST(out.starts_with("<svg viewBox=\"0 0 9 9\"><g id=\"c1-gnuplot_plot_2\"><path d='M1 1h1'/></g>"), out);
  BOOST_TEST(compact_svg(out) == out);
}

BOOST_AUTO_TEST_CASE(a_threshold_far_from_the_data_is_marked_at_the_edge) {
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  // sort_numbers: about 4 ms, "wall.p95 < 5ms": the axis stays on the data.
  const auto far = detail::plan_trend(row_named(view, "sort_numbers"), "r0-trend");
  BOOST_TEST(far.geometry.y_hi < 4.5);
  BOOST_TEST(contains(far.script, "set label 'threshold 5.00 ms ↑' at graph 1, graph 1"));
  BOOST_TEST(!contains(far.script, "title 'threshold'"));
  BOOST_TEST(contains(far.caption, "wall.p95 < 5ms lies outside the data's range"));

  // A threshold inside the data's range is a dashed line, as before.
  auto near_model = golden_model(golden_hostile);
  near_model.tests[1].history[11].thresholds = {{parse_threshold("wall.p95 < 11ms"), 12.18e6, false}};
  const auto near_view = make_view(near_model);
  const auto near = detail::plan_trend(row_named(near_view, "parse_big_json"), "r1-trend");
  BOOST_TEST(contains(near.script, "title 'threshold'"));
  BOOST_TEST(!contains(near.script, "set label"));
  BOOST_TEST(contains(near.caption, "Dashed red: threshold wall.p95 < 11ms."));

  // Below the range: an arrow down at the bottom edge.
  near_model.tests[1].history[11].thresholds = {{parse_threshold("wall.p95 > 1ms"), 12.18e6, true}};
  const auto low_view = make_view(near_model);
  const auto low = detail::plan_trend(row_named(low_view, "parse_big_json"), "r1-trend");
  BOOST_TEST(contains(low.script, "set label 'threshold 1.00 ms ↓' at graph 1, graph 0"));
}

BOOST_AUTO_TEST_CASE(sessions_of_one_day_are_labelled_by_time) {
  auto model = golden_model(golden_hostile);
  for (int i = 0; i < 12; ++i)
    model.tests[0].history[static_cast<std::size_t>(i)].date =
        fmt::format("2026-12-01T{:02}:42:00.000Z", 8 + i);
  const auto view = make_view(model);
  const auto plan = detail::plan_trend(row_named(view, "touch_memory"), "r0-trend");
  BOOST_TEST(contains(plan.data, "\t12-01 08:42\n"));
  BOOST_TEST(contains(plan.data, "\t12-01 19:42\n"));
  BOOST_TEST(!contains(plan.data, "2026-12-01"));
  // Within one minute: by commit.
  for (auto& r : model.tests[0].history) r.date = "2026-12-01T10:42:00.000Z";
  const auto same_minute = make_view(model);
  const auto by_commit = detail::plan_trend(row_named(same_minute, "touch_memory"), "r0-trend");
  BOOST_TEST(contains(by_commit.data, "\tc0ffee00aa\n"));
  // Dates that differ stay dates.
  const auto plain_model = golden_model(golden_hostile);
  const auto plain_view = make_view(plain_model);
  const auto plain = detail::plan_trend(row_named(plain_view, "touch_memory"), "r0-trend");
  BOOST_TEST(contains(plain.data, "\t2026-10-01\n"));
}
