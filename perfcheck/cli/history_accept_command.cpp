// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck history accept TEST... [--session ID]`: a regression or failure becomes the start
// of its series' new baseline epoch (docs/history.md, "Baseline epochs").
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

struct accept_flags {
  std::string history;
  std::vector<std::string> tests;
  std::optional<std::string> session;
};

std::string or_unknown(const std::string& text) { return text.empty() ? "unknown" : text; }

// The message of an acceptance that did not happen; empty when it did.
std::string refusal(const store::acceptance& a, const std::string& test, const accept_flags& f,
                    const std::string& location) {
  using status = store::acceptance::status;
  if (a.outcome == status::no_such_result) {
    if (f.session) {
      return fmt::format(
          "history {} has no result of test '{}' in session '{}'; 'perfcheck "
          "history show {}' lists that session's tests",
          location, test, *f.session, *f.session);
    }
    return fmt::format(
        "history {} has no result of test '{}' to accept; check the name "
        "('perfcheck history show latest' lists the tests of the latest session)",
        location, test);
  }
  if (a.outcome == status::nothing_pending) {
    return fmt::format(
        "test '{}' has no regressed or failed result waiting for acceptance in "
        "history {} (its results since the last acceptance joined the baseline); "
        "to start a new baseline from one session's result anyway, give "
        "--session ID",
        test, location);
  }
  return {};
}

int accept(const accept_flags& f) {
  const std::string location = store::history_location(f.history);
  if (location.empty())
    throw usage_error("no history file; give --history FILE or set PERFCHECK_HISTORY");
  auto history = store::open_history(location, false);
  const std::string now = run::rfc3339(std::chrono::system_clock::now());
  std::optional<std::string> session = f.session;
  if (session && *session == "(none)") session = "";
  int bad = 0;
  for (const auto& test : f.tests) {
    const auto a = history->accept({.name = test, .session_id = session, .accepted_at = now});
    if (const std::string problem = refusal(a, test, f, location); !problem.empty()) {
      std::fprintf(stderr, "error: %s\n", problem.c_str());
      ++bad;
      continue;
    }
    std::printf(
        "accepted %s: baseline epoch %lld starts at its result of %s (commit %s) on "
        "branch %s, machine %s; %zu result(s) in the new epoch\n",
        test.c_str(), static_cast<long long>(a.epoch), a.first_started_at.c_str(),
        or_unknown(a.first_commit.substr(0, 12)).c_str(), or_unknown(a.series.git_branch).c_str(),
        or_unknown(a.series.machine).c_str(), a.results);
    std::fflush(stdout);  // a line means: committed
  }
  return bad == 0 ? exit_ok : exit_usage;
}

}  // namespace

std::function<int()> add_history_accept_verb(CLI::App* history) {
  auto f = std::make_shared<accept_flags>();
  CLI::App* verb = history->add_subcommand(
      "accept", "Accept regressed or failed results as the start of a new baseline");
  verb->description(
      "A result that regressed or failed does not join its test's history baseline, so later\n"
      "sessions keep failing against the last accepted level. 'accept' starts a new baseline\n"
      "epoch of the test's series from its first result waiting for acceptance (or from its\n"
      "result in --session); results before it no longer pool with those after it.");
  verb->add_option("tests", f->tests, "The tests to accept")->type_name("TEST...")->required();
  verb->add_option("--session", f->session,
                   "Start the new epoch at the test's result of this session ('perfcheck history "
                   "list' shows them) [default: its first result waiting for acceptance]")
      ->type_name("ID");
  verb->add_option("--history", f->history,
                   "The history file (SQLite) [default: $PERFCHECK_HISTORY]")
      ->type_name("FILE");
  return [f, verb]() -> int { return verb->parsed() ? accept(*f) : -1; };
}

}  // namespace perfcheck::cli
