// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Reports from models built in code: golden Markdown, JUnit and JSON; the HTML page and its
// charts (with gnuplot, and without it); a hostile test name in every format; empty, one-session
// and 1,000-session histories; the SVG sanitizer; the history store adapter.
//
// Golden files: tests/unit/golden/. After an intended change of a format, regenerate them with
//   PERFCHECK_UPDATE_GOLDEN=1 <build>/bin/report_test --run_test=golden
// and review the diff.
#define BOOST_TEST_MODULE report
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/store/sqlite_history_store.hpp"
#include "reports/charts.hpp"
#include "reports/history_adapter.hpp"
#include "reports/report.hpp"
#include "reports/report_writer.hpp"
#include "reports/svg_sanitizer.hpp"
#include "reports/synthetic_model.hpp"
#include "reports/template_engine.hpp"

using namespace perfcheck;
using namespace perfcheck::reports;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

struct temp_folder {
  fs::path dir;
  temp_folder() {
    std::random_device entropy;
    dir = fs::temp_directory_path() / fmt::format("perfcheck-report-test-{:08x}", entropy());
    fs::create_directories(dir);
  }
  ~temp_folder() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string render(const report_writer& writer, const report_view& view) {
  std::ostringstream out;
  writer.write(view, out);
  return out.str();
}

metric_summary summary_around(double median, double spread) {
  metric_summary s;
  s.n = 10;
  s.median = median;
  s.mean = median + spread / 4;
  s.min = median - spread;
  s.max = median + 2 * spread;
  s.stddev = spread / 2;
  s.mad = spread / 3;
  s.p90 = median + spread;
  s.p95 = median + 1.5 * spread;
  s.p99 = median + 1.9 * spread;
  s.ci_low = median - spread / 4;
  s.ci_high = median + spread / 4;
  return s;
}

// A result of a hand-made history: session i, commit "c0ffee<i>", one day apart.
report_result result_at(int i, double wall_ms, bool bands) {
  report_result r;
  r.session = fmt::format("s{:02}", i);
  r.commit = fmt::format("c0ffee{:02}aa11bb22cc33dd44ee55ff6677889900", i);
  r.branch = "main";
  r.date = fmt::format("2026-10-{:02}T08:00:00.000Z", i + 1);
  metric_figures wall{"wall", summary_around(wall_ms * 1e6, wall_ms * 1e4), std::nullopt};
  if (bands) {
    wall.bands =
        sample_quantiles{wall_ms * 0.98e6, wall_ms * 0.99e6, wall_ms * 1.01e6, wall_ms * 1.03e6};
  }
  r.metrics.push_back(wall);
  r.metrics.push_back({"rss", summary_around(32.0 * 1024 * 1024, 65536), std::nullopt});
  return r;
}

std::vector<run_sample> samples_around(double wall_ms, int n) {
  std::vector<run_sample> out;
  for (int k = 0; k < n; ++k) {
    run_sample s;
    s.wall_ns = static_cast<std::int64_t>(wall_ms * 1e6 * (1 + 0.01 * ((k * 7) % 11 - 5) / 5.0));
    s.user_ns = s.wall_ns / 2;
    s.sys_ns = s.wall_ns / 10;
    s.max_rss_bytes = 32 << 20;
    s.exit_code = 0;
    out.push_back(s);
  }
  return out;
}

// The golden model: deterministic, every verdict kind that matters, a level shift, a hostile
// name. `hostile` is the hostile test's name.
report_model golden_model(const std::string& hostile) {
  report_model m;
  m.generator_version = "0.1.0-test";
  m.session = {"20261012T080000Z-0000abcd",
               "c0ffee11aa11bb22cc33dd44ee55ff6677889900",
               "main",
               "5f3a9c2e81b7d046",
               "ci-runner-7",
               "Test CPU @ 3.0GHz",
               "2026-10-12T08:00:00.000Z",
               "0.1.0"};

  report_test slower;  // regressed: a step from 10 ms to 12 ms at result 8
  slower.name = "parse_big_json";
  for (int i = 0; i < 12; ++i)
    slower.history.push_back(
        result_at(i, i < 8 ? 10.0 + 0.05 * (i % 3) : 12.0 + 0.05 * (i % 2), true));
  slower.current = 11;
  slower.history[11].outcome = verdict::regressed;
  slower.history[11].reasons = {
      "wall.median +19.8% vs baseline (99% CI +17.0% to +22.5%), beyond +5%"};
  slower.history[11].thresholds = {{parse_threshold("wall.p95 < 20ms"), 12.18e6, true}};
  slower.baseline = baseline_comparison{"wall",
                                        "median",
                                        10.02e6,
                                        0.198,
                                        0.17,
                                        0.225,
                                        0.99,
                                        slower.history[7].commit,
                                        slower.history[7].date};
  slower.samples = samples_around(12.0, 10);
  for (int k = 0; k < 10; ++k) slower.baseline_samples.push_back(10.0e6 + 2e4 * (k % 5));
  slower.memory = {{0.0, 1 << 20}, {0.005, 20 << 20}, {0.010, 33 << 20}, {0.012, 8 << 20}};

  report_test failing;  // failed a threshold, with a warning
  failing.name = "sort_numbers";
  for (int i = 0; i < 12; ++i) failing.history.push_back(result_at(i, 4.0, false));
  failing.current = 11;
  auto& f = failing.history[11];
  f.outcome = verdict::failed;
  f.reasons = {"rss.max = 48.0 MiB, above the limit 40 MiB"};
  f.warnings = {"noisy: the robust CV of wall is 7.2% (above 5%)"};
  f.thresholds = {{parse_threshold("wall.p95 < 5ms"), 4.06e6, true},
                  {parse_threshold("rss.max <= 40MiB"), 48.0 * 1024 * 1024, false}};
  failing.samples = samples_around(4.0, 10);
  for (int c : {1, 4, 16}) {
    failing.levels.push_back(
        {std::to_string(c), {{"wall", summary_around(4e6 * (1 + 0.1 * c), 1e5), std::nullopt}}});
  }

  report_test steady;  // unchanged
  steady.name = "touch_memory";
  for (int i = 0; i < 12; ++i) steady.history.push_back(result_at(i, 2.0, false));
  steady.current = 11;
  steady.samples = samples_around(2.0, 10);

  report_test gone;  // did not run in this session
  gone.name = "old_benchmark";
  for (int i = 0; i < 5; ++i) gone.history.push_back(result_at(i, 7.0, false));

  report_test evil;  // hostile name, inconclusive
  evil.name = hostile;
  for (int i = 0; i < 12; ++i) evil.history.push_back(result_at(i, 3.0, true));
  evil.current = 11;
  evil.history[11].outcome = verdict::inconclusive;
  evil.history[11].warnings = {"a <b>bold</b> warning | with a pipe"};
  evil.baseline = baseline_comparison{"wall", "median", 3.0e6, 0.01, -0.03, 0.05, 0.99, "", ""};
  evil.samples = samples_around(3.0, 10);
  evil.levels = {{"x`y\"z", {{"wall", summary_around(3e6, 1e5), std::nullopt}}},
                 {"<i>", {{"wall", summary_around(3.3e6, 1e5), std::nullopt}}}};

  m.tests = {steady, slower, gone, failing, evil};
  return m;
}

// The hostile name used by the golden files (pwned paths never exist: /nonexistent).
const std::string golden_hostile =
    "<script>alert(1)</script> \"q\" 'a' \\b\nline `touch /nonexistent/bt` \"; system "
    "\"touch /nonexistent/pwned\" | *x* _y_ [z](http://e.invalid) &amp; @team #1";

void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(PERFCHECK_GOLDEN_DIR) / name;
  if (std::getenv("PERFCHECK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    BOOST_TEST_MESSAGE("updated " << path);
    return;
  }
  BOOST_REQUIRE_MESSAGE(fs::exists(path),
                        path << " is missing; regenerate with PERFCHECK_UPDATE_GOLDEN=1");
  const std::string expected = read(path);
  if (expected != actual) {
    const fs::path fresh = fs::temp_directory_path() / ("actual-" + name);
    std::ofstream(fresh, std::ios::binary) << actual;
    BOOST_ERROR(name << " differs from its golden file " << path << "; the output is in " << fresh
                     << " (diff them; if the change is intended, regenerate with "
                        "PERFCHECK_UPDATE_GOLDEN=1)");
  }
}

// A hostile name whose gnuplot injections would create files in `dir`.
std::string hostile_name(const fs::path& dir) {
  return fmt::format(
      "<script>alert(1)</script> \"q\" 'a' \\b\nline `touch {0}/pwned-bt` \"; system "
      "\"touch {0}/pwned\" ` | *x* _y_ &amp;",
      dir.string());
}

bool gnuplot_available() { return std::system("gnuplot -e 'exit' >/dev/null 2>&1") == 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(golden)

BOOST_AUTO_TEST_CASE(markdown) {
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  check_golden("summary.md", render(*make_markdown_writer(""), view));
  check_golden("summary-linked.md",
               render(*make_markdown_writer("https://ci.example.com/job/42/perf-report/"), view));
}

BOOST_AUTO_TEST_CASE(junit) {
  const auto model = golden_model(golden_hostile);
  check_golden("junit.xml", render(*make_junit_writer(), make_view(model)));
}

BOOST_AUTO_TEST_CASE(json) {
  const auto model = golden_model(golden_hostile);
  check_golden("report.json", render(*make_json_writer(), make_view(model)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(view_orders_failed_and_regressed_first_and_finds_the_step) {
  const auto model = golden_model(golden_hostile);
  const auto view = make_view(model);
  std::vector<std::string> order;
  for (const auto& row : view.rows) order.push_back(row.verdict_word);
  BOOST_TEST(
      order == (std::vector<std::string>{"failed", "regressed", "inconclusive", "pass", "not run"}),
      boost::test_tools::per_element());
  BOOST_TEST(view.counts_text == "1 failed, 1 regressed, 1 inconclusive, 1 passed, 1 not run");
  const test_row& slower = view.rows[1];
  BOOST_TEST(slower.name == "parse_big_json");
  BOOST_REQUIRE(slower.changes.size() == 1u);
  BOOST_TEST(slower.changes[0].index == 8u);
  BOOST_TEST(slower.changes[0].worse);
  BOOST_TEST(slower.since_text == "slower since c0ffee08aa (2026-10-09): +19.7%");
  BOOST_TEST(slower.change_text == "+19.8%");
  BOOST_TEST(slower.interval_text == "99% CI +17.0% to +22.5%");
  BOOST_TEST(!slower.unchanged);
  BOOST_TEST(view.rows[3].unchanged);  // touch_memory
  // Anchors are unique and made of safe characters only.
  for (const auto& row : view.rows)
    BOOST_TEST(std::regex_match(row.anchor, std::regex("test-[a-z0-9-]*[0-9a-f]{8}")));
}

BOOST_AUTO_TEST_CASE(warnings_are_cut_to_a_headline_for_table_cells) {
  BOOST_TEST(warning_headline("the machine was busy before the test: 1-minute load average 7.88 on 2 "
                              "CPUs; other work competes for the CPUs") ==
             "the machine was busy before the test");
  BOOST_TEST(warning_headline("the regression verdict is inconclusive (allowed: ON_INCONCLUSIVE "
                              "pass); measure more runs") ==
             "the regression verdict is inconclusive (allowed: ON_INCONCLUSIVE pass)");
  // A short lead-in is no headline: the warning stays whole while it fits.
  BOOST_TEST(warning_headline("noisy: the robust CV of wall is 7.2% (above 5%)") ==
             "noisy: the robust CV of wall is 7.2% (above 5%)");
  // Without a stop, 90 bytes at most, never inside a UTF-8 sequence.
  std::string long_one;
  while (long_one.size() < 200) long_one += "é…x ";
  const std::string cut = warning_headline(long_one);
  BOOST_TEST(cut.size() <= 90u);
  BOOST_TEST(cut.ends_with("..."));
  BOOST_TEST(valid_utf8(cut) == cut);
}

BOOST_AUTO_TEST_CASE(markdown_escapes_and_links) {
  const auto model = golden_model(golden_hostile);
  const auto md = render(*make_markdown_writer("https://ci.example.com/r"), make_view(model));
  BOOST_TEST(!contains(md, "<script>"));
  BOOST_TEST(contains(md, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  BOOST_TEST(contains(md, "\\*x\\* \\_y\\_ \\[z\\](http://e.invalid) &amp;amp; @team \\#1"));
  BOOST_TEST(contains(md, "\\`touch"));
  BOOST_TEST(contains(md, "<a href=\"https://ci.example.com/r/index.html#test-parse-big-json-"));
  // One line per table row: the newline of the hostile name never breaks the table.
  for (std::size_t pos = md.find("\n|"); pos != std::string::npos; pos = md.find("\n|", pos + 1)) {
    const std::size_t end = md.find('\n', pos + 1);
    const std::string line = md.substr(pos + 1, end - pos - 1);
    BOOST_TEST(line.back() == '|', line);
  }
  // The unchanged test is folded away.
  BOOST_TEST(contains(md, "<details><summary>1 unchanged test</summary>"));
  // A javascript: base URL never becomes a link target.
  const auto evil = render(*make_markdown_writer("javascript:alert(1)"), make_view(model));
  BOOST_TEST(!contains(evil, "javascript:"));
}

BOOST_AUTO_TEST_CASE(junit_is_escaped_xml) {
  const auto model = golden_model(golden_hostile);
  const auto xml = render(*make_junit_writer(), make_view(model));
  BOOST_TEST(contains(xml, "tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"1\""));
  BOOST_TEST(
      contains(xml, "name=\"&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;a&#39;"));
  BOOST_TEST(!contains(xml, "<script>"));
  BOOST_TEST(contains(xml, "<property name=\"headline.value\" value=\"12050000\"/>"));
  BOOST_TEST(contains(xml, "<skipped message=\"did not run in this session\"/>"));
}

BOOST_AUTO_TEST_CASE(json_round_trips_the_hostile_name) {
  const auto model = golden_model(golden_hostile);
  const auto json = boost::json::parse(render(*make_json_writer(), make_view(model)));
  BOOST_TEST(json.at("schema").as_string() == "perfcheck/report/v1");
  bool found = false;
  for (const auto& t : json.at("tests").as_array())
    found |= t.at("name").as_string() == golden_hostile;
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(html_with_charts_and_a_hostile_name) {
  if (!gnuplot_available()) {
    BOOST_TEST_MESSAGE(
        "gnuplot not installed: chart drawing not checked (tools/setup.sh installs it)");
    return;
  }
  temp_folder tmp;
  auto model = golden_model(hostile_name(tmp.dir));
  report_options options;
  options.out_dir = tmp.dir / "out";
  options.charts.jobs = 2;
  const auto outcome = write_reports(model, options);
  BOOST_TEST(outcome.files.size() == 4u);
  BOOST_TEST(outcome.chart_note.empty());
  // parse_big_json: trend, distribution, memory; sort_numbers: trend, distribution, series;
  // touch_memory: trend, distribution; old_benchmark: trend; hostile: trend, distribution, series.
  BOOST_TEST(outcome.charts_planned == 12u);
  BOOST_TEST(outcome.charts_drawn == 12u);
  const std::string html = read(options.out_dir / "index.html");
  BOOST_TEST(count(html, "<svg") == 12u);
  BOOST_TEST(count(html, "<figure") == 12u);
  BOOST_TEST(!contains(html, "class=\"chart-missing\""));
  // Exactly the page's own script; the hostile name appears only escaped.
  BOOST_TEST(count(html, "<script") == 1u);
  BOOST_TEST(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &#39;a&#39;"));
  // No network: nothing refers to another origin (the SVG namespaces are names, not fetches).
  std::string stripped = std::regex_replace(
      html, std::regex("xmlns(:xlink)?=\"http://www.w3.org/[0-9]+/(svg|xlink)\""), "");
  BOOST_TEST(!contains(stripped, "http://"));
  BOOST_TEST(!contains(stripped, "https://"));
  BOOST_TEST(contains(html, "Content-Security-Policy"));
  // Tooltips: one per point of every trend, with commit and date.
  BOOST_TEST(std::regex_search(
      html,
      std::regex(
          "<title>c0ffee11aa · 2026-10-12 08:00 · median 12\\.[0-9] ms · regressed</title>")));
  // Series levels with hostile labels are escaped in tooltips.
  BOOST_TEST(contains(html, "<title>level x`y&quot;z: median"));
  BOOST_TEST(contains(html, "<title>level &lt;i&gt;: median"));
  // Nothing the name tried to run in gnuplot ran.
  BOOST_TEST(!fs::exists(tmp.dir / "pwned"));
  BOOST_TEST(!fs::exists(tmp.dir / "pwned-bt"));
  // Failed and regressed first.
  BOOST_TEST(html.find("id=\"test-sort-numbers") < html.find("id=\"test-parse-big-json"));
  BOOST_TEST(html.find("id=\"test-parse-big-json") < html.find("id=\"test-touch-memory"));
}

BOOST_AUTO_TEST_CASE(html_without_gnuplot_has_notes_where_charts_would_be) {
  temp_folder tmp;
  const auto model = golden_model(golden_hostile);
  report_options options;
  options.out_dir = tmp.dir;
  options.formats = {report_format::html};
  options.charts.gnuplot = (tmp.dir / "no-such-gnuplot").string();
  const auto outcome = write_reports(model, options);
  BOOST_TEST(outcome.charts_drawn == 0u);
  BOOST_TEST(outcome.charts_planned == 12u);
  BOOST_TEST(contains(outcome.chart_note, "gnuplot was not found"));
  BOOST_TEST(contains(outcome.chart_note, "--gnuplot PATH"));
  const std::string html = read(tmp.dir / "index.html");
  BOOST_TEST(count(html, "class=\"chart-missing\"") == 12u);
  BOOST_TEST(count(html, "<svg") == 0u);
  BOOST_TEST(contains(html, "Chart not drawn: gnuplot was not found"));
  // Same by name through PATH.
  options.charts.gnuplot = "perfcheck-no-such-gnuplot";
  BOOST_TEST(contains(write_reports(model, options).chart_note, "in PATH"));
}

BOOST_AUTO_TEST_CASE(failing_gnuplot_is_reported_per_chart) {
  temp_folder tmp;
  const fs::path fake = tmp.dir / "fake-gnuplot";
  std::ofstream(fake) << "#!/bin/sh\necho 'line 3: unexpected failure' >&2\nexit 1\n";
  fs::permissions(fake, fs::perms::owner_all);
  const auto model = golden_model(golden_hostile);
  report_options options;
  options.out_dir = tmp.dir / "out";
  options.formats = {report_format::html};
  options.charts.gnuplot = fake.string();
  const auto outcome = write_reports(model, options);
  BOOST_TEST(outcome.charts_drawn == 0u);
  const std::string html = read(options.out_dir / "index.html");
  BOOST_TEST(contains(html, "Chart not drawn: gnuplot failed: line 3: unexpected failure"));
}

BOOST_AUTO_TEST_CASE(empty_model_writes_every_format) {
  temp_folder tmp;
  report_model empty;
  empty.generator_version = "0.1.0-test";
  report_options options;
  options.out_dir = tmp.dir;
  const auto outcome = write_reports(empty, options);
  BOOST_TEST(outcome.files.size() == 4u);
  BOOST_TEST(contains(read(tmp.dir / "index.html"), "holds no results"));
  BOOST_TEST(contains(read(tmp.dir / "summary.md"), "## perfcheck: no tests"));
  BOOST_TEST(contains(read(tmp.dir / "junit.xml"), "tests=\"0\""));
  const auto json = boost::json::parse(read(tmp.dir / "report.json"));
  BOOST_TEST(json.at("tests").as_array().empty());
}

BOOST_AUTO_TEST_CASE(one_session_history) {
  temp_folder tmp;
  synthetic_options o;
  o.tests = 3;
  o.results = 1;
  const auto model = make_synthetic_model(o);
  report_options options;
  options.out_dir = tmp.dir;
  options.charts.jobs = 1;
  const auto outcome = write_reports(model, options);
  const auto view = make_view(model);
  for (const auto& row : view.rows) {
    BOOST_TEST(row.series.size() == 1u);
    BOOST_TEST(row.changes.empty());
  }
  if (gnuplot_available()) BOOST_TEST(outcome.charts_drawn == outcome.charts_planned);
  BOOST_TEST(count(read(tmp.dir / "index.html"), "<circle") >= 3u);
}

BOOST_AUTO_TEST_CASE(thousand_session_history) {
  temp_folder tmp;
  synthetic_options o;
  o.tests = 3;
  o.results = 1000;
  const auto model = make_synthetic_model(o);
  report_options options;
  options.out_dir = tmp.dir;
  const auto outcome = write_reports(model, options);
  const std::string html = read(tmp.dir / "index.html");
  if (gnuplot_available()) {
    BOOST_TEST(outcome.charts_drawn == outcome.charts_planned);
    // Every result of every trend has its tooltip.
    BOOST_TEST(count(html, "<circle cx=") >= 3000u);
  }
  const auto json = boost::json::parse(read(tmp.dir / "report.json"));
  BOOST_TEST(json.at("tests").as_array().size() == 3u);
  BOOST_TEST(json.at("tests").as_array()[0].at("results").as_int64() == 1000);
}

BOOST_AUTO_TEST_CASE(format_list_is_checked) {
  using perfcheck::usage_error;
  BOOST_TEST((parse_formats("html,md") ==
              std::vector<report_format>{report_format::html, report_format::markdown}));
  BOOST_TEST(parse_formats("json, junit,json").size() == 2u);
  BOOST_CHECK_EXCEPTION(parse_formats("html,pdf"), usage_error, [](const usage_error& e) {
    return contains(e.what(), "--format html,pdf: 'pdf' is not a report format") &&
           contains(e.what(), "html, md, junit, json");
  });
  BOOST_CHECK_THROW(parse_formats(""), usage_error);
}

BOOST_AUTO_TEST_CASE(svg_sanitizer_drops_active_content_and_prefixes_ids) {
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg viewBox=\"0 0 10 10\" onload=\"alert(1)\">"
      "<title>Gnuplot</title><desc>x</desc><!-- c -->"
      "<script>alert(2)</script><SCRIPT type='x'>alert(3)</SCRIPT>"
      "<defs><circle id='gpPt0' r='1'/></defs>"
      "<g id=\"plot\" onclick='alert(4)'><title>median</title>"
      "<use xlink:href='#gpPt0' fill='url(#grad)'/><a href=\"https://evil.invalid\">x</a>"
      "<image "
      "href=\"javascript:alert(5)\"/><foreignObject><div>html</div></foreignObject></g></"
      "svg>\ntrailing";
  const std::string out = sanitize_svg(svg, "c1-");
  BOOST_TEST(!contains(out, "alert"));
  BOOST_TEST(!contains(out, "<?xml"));
  BOOST_TEST(!contains(out, "DOCTYPE"));
  BOOST_TEST(!contains(out, "Gnuplot"));
  BOOST_TEST(!contains(out, "evil"));
  BOOST_TEST(!contains(out, "html"));
  BOOST_TEST(!contains(out, "trailing"));
  BOOST_TEST(contains(out, "<title>median</title>"));  // a plot's title stays: it is a tooltip
  BOOST_TEST(contains(out, "id='c1-gpPt0'"));
  BOOST_TEST(contains(out, "id=\"c1-plot\""));
  BOOST_TEST(contains(out, "href='#c1-gpPt0'"));
  BOOST_TEST(contains(out, "fill='url(#c1-grad)'"));
  BOOST_TEST(out.starts_with("<svg viewBox=\"0 0 10 10\">"));
  BOOST_TEST(out.ends_with("</svg>"));
  BOOST_TEST(sanitize_svg("no svg here", "x").empty());
  BOOST_TEST(insert_before_svg_end("<svg><g/></svg>", "<g id=\"o\"/>") ==
             "<svg><g/><g id=\"o\"/></svg>");
}

BOOST_AUTO_TEST_CASE(modifiers) {
  BOOST_TEST(markdown_text("a|b*c_d`e\\f[g]h~i$j\nk") ==
             "a\\|b\\*c\\_d\\`e\\\\f\\[g\\]h\\~i\\$j k");
  BOOST_TEST(gnuplot_safe("a`b\"c'd;e$f\\g (ms)") == "a_b_c_d_e_f_g (ms)");
}

BOOST_AUTO_TEST_CASE(templates_escape_every_value) {
  // gnuplot templates: every variable passes the x-gp whitelist. HTML, Markdown and XML
  // templates: auto-escaping is on, and no value skips it (:none).
  const std::regex variable(R"(\{\{([A-Z_]+)(:[^}]*)?\}\})");
  for (const auto& name : template_names()) {
    const std::string text(template_source(name));
    for (std::sregex_iterator it(text.begin(), text.end(), variable), end; it != end; ++it) {
      const std::string modifiers = (*it)[2];
      if (name.ends_with(".gp.tpl")) {
        BOOST_TEST(modifiers == ":x-gp", name << ": " << it->str());
      } else {
        BOOST_TEST(modifiers.find(":none") == std::string::npos, name << ": " << it->str());
      }
    }
    if (!name.ends_with(".gp.tpl")) BOOST_TEST(text.starts_with("{{%AUTOESCAPE context="), name);
  }
}

BOOST_AUTO_TEST_CASE(valid_utf8_replaces_bad_bytes) {
  BOOST_TEST(valid_utf8("plain é ✓ 😀") == "plain é ✓ 😀");
  BOOST_TEST(valid_utf8("a\xff"
                        "b") ==
             "a\xEF\xBF\xBD"
             "b");
  BOOST_TEST(valid_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  BOOST_TEST(valid_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  BOOST_TEST(valid_utf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // cut short
}

BOOST_AUTO_TEST_CASE(history_store_adapter) {
  temp_folder tmp;
  store::sqlite_history_store history(tmp.dir / "history.sqlite");
  // Two sessions of two tests; the second session is slower for "b".
  for (int s = 0; s < 2; ++s) {
    for (const char* name : {"a", "b"}) {
      run_result r;
      r.name = name;
      r.command = {"prog", name};
      r.context.session_id = fmt::format("session-{}", s);
      r.context.git_commit = fmt::format("commit{}", s);
      r.context.git_branch = "main";
      r.context.machine = "m1";
      r.context.spec_hash = "h1";
      r.started_at = r.finished_at = fmt::format("2026-10-0{}T08:00:00.000Z", s + 1);
      r.outcome = s == 1 && name == std::string("b") ? verdict::failed : verdict::pass;
      r.thresholds = {{parse_threshold("wall.p95 < 1ms"), 2e6, r.outcome == verdict::pass}};
      if (s == 1 && name == std::string("a")) {
        regression_finding f;
        f.rule = "wall.median +5%";
        f.metric = "wall";
        f.baseline_median = 1e6;
        f.change = 0.02;
        f.ci_low = -0.01;
        f.ci_high = 0.05;
        f.decision = verdict::inconclusive;
        r.regressions = {f};
      }
      r.environment.hostname = "host";
      r.environment.perfcheck_version = "9.9";
      const double ms = (name == std::string("b") && s == 1) ? 2.0 : 1.0;
      r.runs = samples_around(ms, 8);
      for (auto& [metric, values] : metric_columns(r.runs)) {
        metric_summary m;
        m.n = values.size();
        m.median = values[values.size() / 2];
        r.summary[metric] = m;
      }
      BOOST_REQUIRE(history.record(r));
    }
  }
  const auto model = model_from_history(history, "latest", "test");
  BOOST_TEST(model.session.id == "session-1");
  BOOST_TEST(model.session.hostname == "host");
  BOOST_TEST(model.session.perfcheck_version == "9.9");
  BOOST_REQUIRE(model.tests.size() == 2u);
  const report_test& b = model.tests[1];
  BOOST_TEST(b.name == "b");
  BOOST_TEST(b.history.size() == 2u);
  BOOST_REQUIRE(b.current_result() != nullptr);
  BOOST_TEST(std::string(to_string(b.current_result()->outcome)) == "failed");
  BOOST_TEST(b.current_result()->commit == "commit1");
  BOOST_TEST(b.samples.size() == 8u);
  BOOST_REQUIRE(b.baseline.has_value());
  BOOST_TEST(b.baseline->change > 0.9);  // twice as slow as the session before
  BOOST_TEST(b.baseline->baseline_commit == "commit0");
  BOOST_TEST(b.baseline_samples.size() == 8u);
  // Several connections read the same model.
  const auto parallel = model_from_history(
      history, "latest", "test",
      [&] { return std::make_unique<store::sqlite_history_store>(tmp.dir / "history.sqlite"); }, 3);
  BOOST_TEST((parallel == model));
  // Older results keep the charted metrics only; the current one keeps every metric.
  BOOST_TEST(model.tests[1].history[0].metrics.size() == 2u);
  BOOST_TEST(model.tests[1].current_result()->metrics.size() >= 5u);
  // The gate's own finding wins over the pool computed here.
  const report_test& a = model.tests[0];
  BOOST_REQUIRE(a.baseline.has_value());
  BOOST_TEST(a.baseline->change == 0.02);
  BOOST_TEST(a.baseline->change_low == -0.01);
  BOOST_TEST(a.baseline->baseline_value == 1e6);
  const auto first = model_from_history(history, "session-0", "test");
  BOOST_TEST(first.tests.at(1).history.size() == 2u);
  BOOST_TEST(*first.tests.at(1).current == 0u);
  BOOST_CHECK_EXCEPTION(
      model_from_history(history, "nope", "test"), usage_error, [](const usage_error& e) {
        return contains(e.what(), "--session nope") && contains(e.what(), "perfcheck history list");
      });
  store::sqlite_history_store empty(tmp.dir / "empty.sqlite");
  BOOST_TEST(model_from_history(empty, "latest", "test").tests.empty());
}
