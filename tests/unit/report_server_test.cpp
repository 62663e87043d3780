// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The server under test in the reports (docs/servers.md, "Reports"): the server.* metrics of the
// current result's runs become the chart "Server during the test" (RSS sample by sample, threads
// on a second axis, the runs' boundaries) and a line in index.html and summary.md; the time to
// ready is the metadata's. Figures are independent: samples of 1, 3 and 2 MiB peak at 3.0 MiB in
// run 2, and CPU of 0.25 s and 0.5 s is 0.75 s. report.json carries the same figures.
#define BOOST_TEST_MODULE report_server
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "reports/chart_plan.hpp"
#include "reports/report.hpp"
#include "report_fixture.hpp"

using namespace report_fixture;

namespace {

constexpr double mib = 1024.0 * 1024.0;

// One run with the server's samples as the watch records them.
run_sample served_run(std::vector<double> rss_mib, std::vector<double> threads, double cpu_s) {
  run_sample run = samples_around(5.0, 1).front();
  for (double& v : rss_mib) v *= mib;
  run.reported["server.rss"] = {unit_kind::size, false, false, rss_mib};
  run.reported["server.threads"] = {unit_kind::count, false, false, threads};
  run.reported["server.cpu"] = {unit_kind::duration, false, false, {cpu_s * 1e9}};
  return run;
}

// "api*<1>" (a name with Markdown and HTML in it) served: run 1 one sample of 1 MiB and 2 threads,
// run 2 samples of 3 MiB and 2 MiB with 4 and 3 threads; ready after 212 ms. And a plain test.
report_model served_model() {
  report_test test;
  test.name = "api*<1>";
  test.history = {result_at(0, 5.0, false)};
  test.current = 0;
  test.history[0].metadata = {{"server", "api"}, {"server.ready", "212 ms"}};
  test.samples = {served_run({1}, {2}, 0.25), served_run({3, 2}, {4, 3}, 0.5)};
  report_test plain;
  plain.name = "plain";
  plain.history = {result_at(0, 5.0, false)};
  plain.current = 0;
  plain.samples = samples_around(5.0, 3);
  report_model m;
  m.session.id = "s00";
  m.tests = {test, plain};
  return m;
}

const test_row& row_named(const report_view& view, const std::string& name) {
  for (const auto& row : view.rows) {
    if (row.name == name) return row;
  }
  throw std::runtime_error("no row " + name);
}

constexpr const char* line = "Server: rss max 3.0 MiB, threads max 4, cpu 0.75 s, ready in 212 ms";

}  // namespace

BOOST_AUTO_TEST_CASE(the_view_gathers_the_samples_of_every_run_in_order) {
  const auto model = served_model();
  const auto view = make_view(model);
  const server_figures& f = row_named(view, "api*<1>").server;
  BOOST_TEST(f.rss == (std::vector<double>{1 * mib, 3 * mib, 2 * mib}), boost::test_tools::per_element());
  BOOST_TEST(f.threads == (std::vector<double>{2, 4, 3}), boost::test_tools::per_element());
  BOOST_TEST(f.run_starts == (std::vector<std::size_t>{0, 1}), boost::test_tools::per_element());
  BOOST_TEST(server_line(f) == line);
  BOOST_TEST(!row_named(view, "plain").server.any());
  BOOST_TEST(server_line(row_named(view, "plain").server).empty());
}

BOOST_AUTO_TEST_CASE(the_chart_draws_rss_in_mib_and_threads_on_the_second_axis) {
  const auto model = served_model();
  const auto view = make_view(model);
  const test_row& row = row_named(view, "api*<1>");
  BOOST_REQUIRE(detail::has_server_chart(row));
  BOOST_TEST(!detail::has_server_chart(row_named(view, "plain")));
  const auto plan = detail::plan_server(row, "r0-server");
  // RSS in MiB at x = sample number; the threads; a dotted segment between runs 1 and 2 at 1.5.
  BOOST_TEST(plan.data == "1\t1\n2\t3\n3\t2\n\n\n1\t2\n2\t4\n3\t3\n\n\n1.5\t0\n1.5\t3.24\n", plan.data);
  BOOST_TEST(contains(plan.script, "set output 'r0-server.svg'"), plan.script);
  BOOST_TEST(contains(plan.script, "set ylabel 'server RSS (MiB)'"), plan.script);
  BOOST_TEST(contains(plan.script, "set y2range [0:5]"), plan.script);  // 4 threads and air
  BOOST_TEST(contains(plan.script, "index 1 using 1:2 axes x1y2 with steps"), plan.script);
  BOOST_TEST(contains(plan.script, "index 2 using 1:2 with lines dt 3"), plan.script);
  BOOST_TEST(contains(plan.caption, "Server during the test"));
  BOOST_TEST(contains(plan.caption, "3 samples over 2 runs"), plan.caption);
  BOOST_TEST(contains(plan.caption, "the peak, 3.0 MiB (run 2, sample 1)"), plan.caption);
  BOOST_REQUIRE(plan.points.size() == 1u);
  BOOST_TEST(plan.points[0].x == 2.0);
  BOOST_TEST(plan.points[0].y == 3 * mib);
}

BOOST_AUTO_TEST_CASE(summary_md_has_a_line_per_served_test) {
  const std::string md = render(*make_markdown_writer(""), make_view(served_model()));
  BOOST_TEST(contains(md, std::string("- **api\\*&lt;1&gt;** · ") + line + "\n"), md);
  BOOST_TEST(count(md, "Server: ") == 1u, md);
}

BOOST_AUTO_TEST_CASE(index_html_plans_the_chart_and_has_the_line) {
  temp_folder tmp;
  report_options options;
  options.out_dir = tmp.dir;
  options.formats = {report_format::html};
  options.charts.gnuplot = (tmp.dir / "no-such-gnuplot").string();
  write_reports(served_model(), options);
  const std::string html = read(tmp.dir / "index.html");
  BOOST_TEST(contains(html, std::string("<p class=\"server\">") + line + "</p>"), html);
  BOOST_TEST(count(html, "<p class=\"server\">") == 1u);
  BOOST_TEST(count(html, "data-chart=\"server\"") == 1u);  // planned; gnuplot is missing here
  BOOST_TEST(contains(html, "<figcaption>Server during the test: "));
  BOOST_TEST(contains(html, "api*&lt;1&gt;"));
}

BOOST_AUTO_TEST_CASE(only_the_figures_that_exist_are_shown) {
  auto model = served_model();
  auto& test = model.tests[0];
  for (auto& run : test.samples) run.reported.clear();  // the runs carry no server metrics
  auto view = make_view(model);
  const test_row& ready_only = row_named(view, "api*<1>");
  BOOST_TEST(server_line(ready_only.server) == "Server: ready in 212 ms");
  BOOST_TEST(!detail::has_server_chart(ready_only));
  test.history[0].metadata.erase("server.ready");
  test.samples[1].reported["server.rss"] = {unit_kind::size, false, false, {1.5 * mib}};
  view = make_view(model);
  const test_row& rss_only = row_named(view, "api*<1>");
  BOOST_TEST(server_line(rss_only.server) == "Server: rss max 1.5 MiB");
  const auto plan = detail::plan_server(rss_only, "r0-server");
  BOOST_TEST(!contains(plan.script, "y2range"), plan.script);  // no threads: no second axis
  BOOST_TEST(!contains(plan.script, "dt 3"), plan.script);     // one run: no boundary
  BOOST_TEST(plan.data == "1\t1.5\n", plan.data);
}

BOOST_AUTO_TEST_CASE(report_json_carries_the_figures_of_a_served_test_only) {
  const auto json = boost::json::parse(render(*make_json_writer(), make_view(served_model())));
  const auto& tests = json.at("tests").as_array();
  BOOST_REQUIRE(tests.size() == 2u);
  const auto& served = tests[0].at("name") == "api*<1>" ? tests[0] : tests[1];
  const auto& plain = tests[0].at("name") == "plain" ? tests[0] : tests[1];
  const auto& server = served.at("server");
  BOOST_TEST(server.at("rss_max").as_double() == 3 * mib);
  BOOST_TEST(server.at("threads_max").as_double() == 4.0);
  BOOST_TEST(server.at("cpu_ns").as_double() == 0.75e9);
  BOOST_TEST(server.at("ready_text").as_string() == "212 ms");
  BOOST_TEST(server.at("text").as_string() == line);
  BOOST_TEST(!plain.as_object().contains("server"));
  BOOST_TEST(plain.at("runs_text").as_string() == "10 runs");
}
