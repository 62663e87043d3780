// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck compare A B`: the regression rules between two sets of measurements, test by test.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/compare_inputs.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

struct compare_flags {
  std::vector<std::string> paths;
  std::string history;
  std::vector<std::string> sessions;
  comparison_flags comparison;
};

// Sessions come first: with two, they are A and B; with one, it is A and the path is B.
int execute(const compare_flags& f) {
  if (f.sessions.size() > 2) {
    throw usage_error(fmt::format("--session was given {} times; give it once (the baseline, with "
                                  "one file or folder as the candidate) or twice (baseline, candidate)",
                                  f.sessions.size()));
  }
  if (f.sessions.size() + f.paths.size() != 2) {
    throw usage_error(fmt::format(
        "compare needs exactly two sides, got {}; write 'perfcheck compare BASELINE CANDIDATE' "
        "(files or folders), or use '--history FILE --session ID' for one or both sides",
        f.sessions.size() + f.paths.size()));
  }
  std::vector<comparison_side> sides;
  if (!f.sessions.empty()) {
    const std::string location = store::history_location(f.history);
    if (location.empty()) {
      throw usage_error("--session needs a history: give --history FILE or set PERFCHECK_HISTORY");
    }
    try {
      auto history = store::open_history_read_only(location);
      for (const auto& id : f.sessions) sides.push_back(load_session_side(*history, id));
    } catch (const store::history_error& e) {
      if (e.refused()) throw usage_error(e.what());
      throw;
    }
  } else if (!f.history.empty()) {
    throw usage_error("--history is only used with --session ID; add --session or drop --history");
  }
  for (const auto& path : f.paths) sides.push_back(load_path_side(path));
  return run_comparison(sides[0], sides[1], f.comparison);
}

}  // namespace

command_action add_compare_command(CLI::App& app) {
  auto f = std::make_shared<compare_flags>();
  CLI::App* sub = app.add_subcommand("compare", "Compare two sets of results test by test with the regression rules");
  sub->description(
      "Usage: perfcheck compare [OPTIONS] BASELINE CANDIDATE\n"
      "       perfcheck compare [OPTIONS] --history FILE --session ID (--session ID | CANDIDATE)\n\n"
      "BASELINE and CANDIDATE are each a result file (perfcheck/result/v1), a folder of result\n"
      "files (as 'perfcheck run --output-dir' fills it), a baseline file (perfcheck/baseline/v1)\n"
      "or Google Benchmark JSON (--benchmark_format=json, detected by content; each repetition is\n"
      "one run). Tests are matched by name, a sweep's levels by level ('test @ n=500'); tests and\n"
      "levels found on one side only are listed. Each rule is decided with a Mann-Whitney test\n"
      "and the Hodges-Lehmann interval of the relative change (docs/baselines.md). Exit codes: 0 no regression (or --no-fail), 1 a test regressed,\n"
      "2 bad input.");
  sub->add_option("sides", f->paths, "BASELINE and CANDIDATE: result file, folder of results, baseline file, or Google Benchmark JSON")
      ->type_name("PATH");
  sub->add_option("--history", f->history, "History (an SQLite file or postgresql://...) that --session reads [default: $PERFCHECK_HISTORY]")
      ->type_name("FILE");
  sub->add_option("--session", f->sessions, "A session of the history as one side, repeatable: the first is the baseline; ids are listed by 'perfcheck history list'")
      ->type_name("ID")->expected(1)->allow_extra_args(false)->take_all();
  add_comparison_options(sub, f->comparison);
  return [f] { return execute(*f); };
}

}  // namespace perfcheck::cli
