// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The charts of the HTML report: golden gnuplot scripts and data per chart kind, and the gnuplot
// batch (every process it starts is reaped, also when a later script cannot be written).
//
// Golden files: tests/unit/golden/chart-*. After an intended change, regenerate them with
//   PERFCHECK_UPDATE_GOLDEN=1 <build>/bin/report_charts_test --run_test=golden
// and review the diff.
#define BOOST_TEST_MODULE report_charts
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include "reports/chart_plan.hpp"
#include "reports/gnuplot_batch.hpp"
#include "report_fixture.hpp"

using namespace report_fixture;
using namespace std::chrono_literals;

namespace {

const test_row& row_named(const report_view& view, const std::string& name) {
  for (const auto& row : view.rows) {
    if (row.name == name) return row;
  }
  throw std::runtime_error("no row " + name);
}

void check_plan(const std::string& kind, const detail::chart_plan& plan) {
  check_golden("chart-" + kind + ".gp", plan.script);
  check_golden("chart-" + kind + ".dat", plan.data);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(golden)

BOOST_AUTO_TEST_CASE(trend) {
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  check_plan("trend", detail::plan_trend(row_named(view, "parse_big_json"), "r1-trend"));
}

BOOST_AUTO_TEST_CASE(distribution) {
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  check_plan("distribution",
             detail::plan_distribution(row_named(view, "parse_big_json"), "r1-distribution"));
}

BOOST_AUTO_TEST_CASE(memory) {
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  check_plan("memory", detail::plan_memory(row_named(view, "parse_big_json"), "r1-memory"));
}

BOOST_AUTO_TEST_CASE(series) {
  // The hostile row: its level labels reach the data file only through the whitelist.
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  check_plan("series", detail::plan_series(row_named(view, golden_hostile), "r3-series"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_failing_batch_leaves_no_gnuplot_behind) {
  temp_folder tmp;
  const fs::path slow = tmp.dir / "slow-gnuplot";
  std::ofstream(slow) << "#!/bin/sh\nexec sleep 30\n";
  fs::permissions(slow, fs::perms::owner_all);
  fs::create_directory(tmp.dir / "batch1.gp");  // the second script cannot be written
  const auto started = std::chrono::steady_clock::now();
  BOOST_CHECK_EXCEPTION(
      run_gnuplot_batch(slow.string(), tmp.dir, {"plot 1\n", "plot 2\n"}, 60s), std::system_error,
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
