// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck report`: history → index.html (gnuplot charts), summary.md, junit.xml,
// report.json. Reads the history only; never runs a test.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/recording.hpp"
#include "perfcheck/version.hpp"
#include "reports/history_adapter.hpp"
#include "reports/report.hpp"
#include "reports/synthetic_model.hpp"

namespace perfcheck::cli {
namespace {

struct report_flags : report_request {
  // Hidden: a made-up history "TESTS:RESULTS", for benchmarks and browser checks.
  std::string synthetic;
  bool synthetic_hostile = false;
};

reports::synthetic_options parse_synthetic(const std::string& text) {
  reports::synthetic_options o;
  unsigned long tests = 0, results = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lu:%lu%c", &tests, &results, &tail) != 2 || tests > 100000 ||
      results > 100000) {
    throw usage_error(fmt::format("--synthetic {}: write TESTS:RESULTS, e.g. --synthetic 200:1000", text));
  }
  o.tests = tests;
  o.results = results;
  return o;
}

reports::report_model load_model(const report_flags& f) {
  if (!f.synthetic.empty()) {
    auto options = parse_synthetic(f.synthetic);
    options.hostile = f.synthetic_hostile;
    auto model = reports::make_synthetic_model(options);
    model.generator_version = version;
    return model;
  }
  const std::string location = store::history_location(f.history);
  if (location.empty()) {
    throw usage_error("no history to report on; give --history FILE (the SQLite file that "
                      "'perfcheck run --history' writes) or set PERFCHECK_HISTORY");
  }
  try {
    auto history = store::open_history_read_only(location);
    const unsigned connections = f.jobs ? f.jobs : std::max(1u, std::thread::hardware_concurrency());
    return reports::model_from_history(
        *history, f.session, version, [&] { return store::open_history_read_only(location); },
        connections, f.machine);
  } catch (const store::history_error& e) {
    if (e.refused()) throw usage_error(fmt::format("--history: {}", e.what()));
    throw;
  }
}

int execute(const report_flags& f) {
  reports::report_options options;
  options.out_dir = f.out;
  options.formats = reports::parse_formats(f.formats);
  options.base_url = f.base_url;
  options.charts.gnuplot = f.gnuplot;
  options.charts.jobs = f.jobs;
  if (!f.base_url.empty() && !f.base_url.starts_with("https://") && !f.base_url.starts_with("http://") &&
      !f.base_url.starts_with("/") && !f.base_url.starts_with(".")) {
    throw usage_error(fmt::format("--base-url {}: give an http(s) URL or a path where index.html "
                                  "is published, e.g. --base-url https://ci.example.com/job/42/perf-report",
                                  f.base_url));
  }
  const auto start = std::chrono::steady_clock::now();
  const reports::report_model model = load_model(f);
  const auto outcome = reports::write_reports(model, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!outcome.chart_note.empty()) std::fprintf(stderr, "note: %s\n", outcome.chart_note.c_str());
  if (!f.quiet) {
    std::printf("report of %zu test(s), session %s: ", model.tests.size(),
                model.session.id.empty() ? "(none)" : model.session.id.c_str());
    for (std::size_t i = 0; i < outcome.files.size(); ++i) {
      std::printf("%s%s", i ? ", " : "", outcome.files[i].c_str());
    }
    if (outcome.charts_planned) {
      std::printf("; %zu of %zu chart(s) drawn", outcome.charts_drawn, outcome.charts_planned);
    }
    std::printf(" (%.2f s)\n", seconds);
  }
  return exit_ok;
}

}  // namespace

int write_report(const report_request& request) {
  report_flags flags;
  static_cast<report_request&>(flags) = request;
  return execute(flags);
}

command_action add_report_command(CLI::App& app) {
  auto f = std::make_shared<report_flags>();
  CLI::App* sub = app.add_subcommand("report", "Write HTML, Markdown, JUnit and JSON reports from the history");
  sub->description(
      "Usage: perfcheck report --history FILE --out DIR [OPTIONS]\n\n"
      "Reads one session of the history (it never runs a test) and writes into DIR:\n"
      "  index.html   one self-contained page: summary table, trend charts with change points,\n"
      "               this session's runs against the baseline's, memory and series charts\n"
      "  summary.md   verdict counts and one table, for a pull-request comment or CI job summary\n"
      "  junit.xml    one testcase per performance test, the figures as properties\n"
      "  report.json  the summary as perfcheck/report/v1\n"
      "Charts need gnuplot; without it the report is still written, with a note where each\n"
      "chart would be. With --machine all, each trend draws one line per machine class (machine\n"
      "fingerprint) of the history, e.g. every CI runner kind sharing one history:\n"
      "  perfcheck report --history perf.sqlite --out perf-report --machine all\n"
      "Exit codes: 0 written, 2 bad options or history (an unknown --machine lists the\n"
      "fingerprints the history has), 4 I/O error.");
  sub->add_option("--history", f->history, "The history: an SQLite file or postgresql://... [default: $PERFCHECK_HISTORY]")
      ->type_name("FILE");
  sub->add_option("--out", f->out, "Folder to write the report into (created when missing), e.g. build/perf-report")
      ->type_name("DIR")->required();
  sub->add_option("--session", f->session, "Session to report: an id from 'perfcheck history list', 'latest', or '(none)' [default: latest]")
      ->type_name("ID");
  sub->add_option("--format", f->formats, "Comma-separated formats to write: html, md, junit, json [default: html,md,junit,json]")
      ->type_name("LIST");
  sub->add_option("--base-url", f->base_url, "Where DIR is published (e.g. a CI artifact URL), so summary.md links each test into index.html [default: no links]")
      ->type_name("URL");
  sub->add_option("--gnuplot", f->gnuplot, "The gnuplot program, a name looked up in PATH or a path [default: gnuplot]")
      ->type_name("PATH");
  sub->add_option("--jobs", f->jobs, "History readers and gnuplot processes at once [default: one per CPU]")
      ->type_name("N");
  sub->add_option("--machine", f->machine, "Whose trends to draw: 'this' (the reported session's machine), 'all' (one line per machine class, with a per-machine table), or a FINGERPRINT, as 'perfcheck history list --json' shows each session's (that machine's) [default: this]")
      ->type_name("all|this|FINGERPRINT");
  sub->add_flag("-q,--quiet", f->quiet, "Print nothing but errors and notes");
  sub->add_option("--synthetic", f->synthetic, "Report a made-up history TESTS:RESULTS instead (benchmarks)")
      ->group("");
  sub->add_flag("--synthetic-hostile", f->synthetic_hostile, "Give the first made-up test a hostile name")
      ->group("");
  return [f] {
    if (f->jobs > 256) throw usage_error(fmt::format("--jobs {}: use 1 to 256 (0: one per CPU)", f->jobs));
    return execute(*f);
  };
}

}  // namespace perfcheck::cli
