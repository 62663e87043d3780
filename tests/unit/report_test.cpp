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
#include "reports/svg_compaction.hpp"
#include "reports/svg_sanitizer.hpp"
#include "reports/synthetic_model.hpp"
#include "reports/template_engine.hpp"
#include "report_fixture.hpp"

using namespace perfcheck;
using namespace perfcheck::reports;
namespace fs = std::filesystem;

using namespace report_fixture;

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

// Every format's threshold column comes from the outcome's parts: a percentage gate shows its
// percentage, a size per time its rate, and a subject the result lacks says so.
BOOST_AUTO_TEST_CASE(threshold_values_are_shown_in_their_unit) {
  auto model = golden_model(golden_hostile);
  report_result& current = model.tests[0].history.back();
  threshold_outcome unmeasured{parse_threshold("wall.p95 < 1s"), 0, false};
  unmeasured.measured = false;
  current.thresholds = {{parse_threshold("rss.growth < 10%"), 0.4056, false},
                        {parse_threshold("rss.slope < 1MiB/min"), 1024.0 * 1024 / 30, false},
                        unmeasured};
  const auto view = make_view(model);
  const auto row = std::find_if(view.rows.begin(), view.rows.end(),
                                [&](const test_row& r) { return r.name == model.tests[0].name; });
  BOOST_REQUIRE(row != view.rows.end());
  BOOST_REQUIRE(row->thresholds.size() == 3u);
  BOOST_TEST(row->thresholds[0].value_text == "40.6%");
  BOOST_TEST(row->thresholds[1].value_text == "2.00 MiB/min");
  BOOST_TEST(row->thresholds[2].value_text == "not measured");
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
  // Every class that the compaction gives gnuplot's elements has its rule in the page's style.
  const std::string style = html.substr(0, html.find("</style>"));
  for (const char* css : {"ga", "gg", "te", "tm", "t9", "gridline", "sa", "sb", "cb", "cg", "sc"}) {
    if (contains(html, fmt::format("class=\"{}\"", css)))
      BOOST_TEST(std::regex_search(style, std::regex(fmt::format("\\.{}[ ,]", css))), css);
  }
  BOOST_TEST(contains(html, "class=\"ga\""));
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

BOOST_AUTO_TEST_CASE(shared_tooltip_starts_are_listed_once_and_escaped) {
  if (!gnuplot_available()) return;
  temp_folder tmp;
  auto model = golden_model(golden_hostile);
  for (auto& r : model.tests[0].history) r.commit = "<b>\"&'|x";
  report_options options;
  options.out_dir = tmp.dir;
  options.formats = {report_format::html};
  write_reports(model, options);
  const std::string html = read(tmp.dir / "index.html");
  BOOST_TEST(!contains(html, "<b>\""));
  // The titled points carry it whole, escaped; the others refer to the key list by number.
  BOOST_TEST(contains(html, "<title>&lt;b&gt;&quot;&amp;&#39;|x · "));
  std::smatch keys;
  BOOST_TEST_REQUIRE(std::regex_search(html, keys, std::regex("<div id=\"tip-keys\" hidden data-keys=\"([^\"]*)\">")));
  BOOST_TEST(contains(keys[1].str(), "&lt;b&gt;\\&quot;&amp;&#39;|x · "));
  BOOST_TEST(count(keys[1].str(), "c0ffee02aa · 2026-") == 1u);  // once for the whole page
  BOOST_TEST(count(keys[1].str(), "&quot; · pass&quot;") == 1u);
  std::smatch records;
  BOOST_TEST_REQUIRE(std::regex_search(html, records, std::regex("data-p=\"([^\"]*)\"")));
  BOOST_TEST(std::regex_search(records[1].str(), std::regex("^[0-9.]+ [0-9.]+ [0-9]+ [0-9]+ [0-9.]+ ms(\\||$)")));
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
    // Each trend is thinned to at most 200 points with a tooltip each (report.json keeps all):
    // a circle with its title, or a record of a chart's data-p that the page's script makes
    // one of.
    std::size_t tips = count(html, "<circle cx=");
    const std::regex data("data-p=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), data);
         it != std::sregex_iterator(); ++it)
      tips += 1 + count((*it)[1].str(), "|");
    BOOST_TEST(tips >= 3 * 150u);
    BOOST_TEST(tips <= 3 * 200u + 3 * 2u + 2u);
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

BOOST_AUTO_TEST_CASE(svg_compaction_keeps_what_is_drawn) {
  const std::string svg =
      "<svg viewBox=\"0 0 10 10\">\n<g id=\"c1-canvas\">\n"
      "<defs>\n\t<circle id='c1-gpPt5' stroke='currentColor' r='1'/>\n"
      "\t<use href='#c1-gpPt5' id='c1-gpPt6' fill='currentColor' stroke='none'/>\n"
      "\t<path id='c1-gpPt0' d='M-1,0 h2'/>\n"
      "\t<filter id='c1-textbox' x='0'>\n\t  <feFlood flood-opacity='1'/>\n\t</filter>\n"
      "</defs>\n"
      "<g fill=\"none\" stroke-width=\"1.00\" stroke-linecap=\"butt\">\n</g>\n"
      "<g fill=\"none\" color=\"black\" stroke-width=\"1.50\">\n"
      "\t<path stroke='rgb(102, 102, 102)'  d='M68.40,200.58 L725.00,200.04  '/>"
      "\t<g transform=\"translate(56.90,203.83)\" fill=\"none\" font-size=\"10.00\">\n"
      "\t\t<text> 10.50 ms</text>\n\t</g>\n"
      "\t<use href='#c1-gpPt6' transform='translate(129.80,213.11) scale(1.31)' "
      "stroke-width='1.5' color='rgb(1, 2, 3)'/>\n"
      "</g>\n<g id=\"c1-plot_1\"></g>\n</g>\n</svg>";
  const std::string out = compact_svg(svg);
  BOOST_TEST(!contains(out, "\n"));
  BOOST_TEST(!contains(out, "\t"));
  BOOST_TEST(contains(out, "<text> 10.50 ms</text>"));  // text is kept byte for byte
  BOOST_TEST(!contains(out, "stroke-linecap"));          // the empty group is gone
  BOOST_TEST(contains(out, "<g id=\"c1-plot_1\"></g>"));  // a group with an id stays
  BOOST_TEST(contains(out, "id='c1-gpPt5'"));            // used through gpPt6
  BOOST_TEST(contains(out, "<use href='#c1-gpPt5' id='c1-gpPt6' fill='currentColor' stroke='none'/>"));
  BOOST_TEST(!contains(out, "gpPt0"));
  BOOST_TEST(!contains(out, "textbox"));
  BOOST_TEST(!contains(out, "feFlood"));
  // Path data: relative steps on a 0.1 px grid; a common attribute run is a class.
  BOOST_TEST(contains(out, "<path class=\"sa\" d='M68.4 200.6l656.6-.6'/>"), out);
  BOOST_TEST(contains(out, "transform=\"translate(56.9,203.83)\" font-size=\"10\">"), out);
  BOOST_TEST(contains(out, "<g fill=\"none\" color=\"black\" stroke-width=\"1.5\">"));
  BOOST_TEST(contains(out, "transform='translate(129.8,213.11) scale(1.31)' color='rgb(1, 2, 3)'/>"),
             out);
  BOOST_TEST(out.starts_with("<svg viewBox=\"0 0 10 10\"><g id=\"c1-canvas\"><defs><circle"));
  BOOST_TEST(out.ends_with("</g></svg>"));
  BOOST_TEST(compact_svg(out) == out);
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
  BOOST_TEST(valid_utf8("c0ffee11aa 2026-10-12T08:00:00Z") == "c0ffee11aa 2026-10-12T08:00:00Z");
  BOOST_TEST(valid_utf8("").empty());
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
      runs_around(r, ms, 8);
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
  // b's failure waits for acceptance (history accept): the summary says since when.
  BOOST_REQUIRE(b.unaccepted.has_value());
  BOOST_TEST(b.unaccepted->commit == "commit1");
  BOOST_TEST((b.unaccepted->outcome == verdict::failed));
  BOOST_TEST(!model.tests[0].unaccepted.has_value());
  const auto summary = render(*make_markdown_writer(""), make_view(model));
  BOOST_CHECK_MESSAGE(contains(summary, "| failed since commit1, not accepted |"), summary);
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
  BOOST_TEST(!first.tests.at(1).unaccepted.has_value());  // session 0 came before the failure
  BOOST_CHECK_EXCEPTION(
      model_from_history(history, "nope", "test"), usage_error, [](const usage_error& e) {
        return contains(e.what(), "--session nope") && contains(e.what(), "perfcheck history list");
      });
  store::sqlite_history_store empty(tmp.dir / "empty.sqlite");
  BOOST_TEST(model_from_history(empty, "latest", "test").tests.empty());
}

BOOST_AUTO_TEST_CASE(a_branch_result_is_compared_with_the_default_branch_as_the_gate_does) {
  temp_folder tmp;
  store::sqlite_history_store history(tmp.dir / "history.sqlite");
  // main: 1 ms at the merge base m0, then 3 ms at m1; the branch: 2 ms twice.
  const std::pair<const char*, double> commits[] = {{"m0", 1.0}, {"m1", 3.0}, {"f1", 2.0}, {"f2", 2.0}};
  for (int s = 0; s < 4; ++s) {
    run_result r;
    r.name = "t";
    r.command = {"prog"};
    r.context.session_id = fmt::format("session-{}", s);
    r.context.git_commit = commits[s].first;
    r.context.git_branch = s < 2 ? "main" : "feature";
    r.context.machine = "m1";
    r.context.spec_hash = "h1";
    r.started_at = r.finished_at = fmt::format("2026-10-0{}T08:00:00.000Z", s + 1);
    r.runs = samples_around(commits[s].second, 8);
    BOOST_REQUIRE(history.record(r));
  }
  struct saved_variable {  // sets an environment variable for the test, restores it after
    std::string name;
    std::optional<std::string> old;
    saved_variable(std::string n, const char* value) : name(std::move(n)) {
      if (const char* v = std::getenv(name.c_str())) old = v;
      if (value) ::setenv(name.c_str(), value, 1); else ::unsetenv(name.c_str());
    }
    ~saved_variable() { if (old) ::setenv(name.c_str(), old->c_str(), 1); else ::unsetenv(name.c_str()); }
  };
  const saved_variable branch("PERFCHECK_GIT_BRANCH", "feature"), base("PERFCHECK_DEFAULT_BRANCH", "main");
  auto compared_with = [&] {
    const auto model = model_from_history(history, "latest", "test");
    BOOST_REQUIRE(model.tests.size() == 1u);
    BOOST_REQUIRE(model.tests[0].baseline.has_value());
    return std::pair{model.tests[0].baseline->baseline_commit, model.tests[0].baseline->change};
  };
  {
    const saved_variable merge_base("PERFCHECK_GIT_MERGE_BASE", "m0");
    const auto [commit, change] = compared_with();
    BOOST_TEST(commit == "m0");  // never the branch's own f1, nor main after the merge base
    BOOST_TEST(change > 0.5);    // 2 ms against 1 ms
  }
  const saved_variable merge_base("PERFCHECK_GIT_MERGE_BASE", nullptr);
  const auto [commit, change] = compared_with();
  BOOST_TEST(commit == "m1");  // the merge base unknown: main's newest (pooled with m0)
  BOOST_TEST(change < 0.5);    // 2 ms against 3 ms and 1 ms
}
