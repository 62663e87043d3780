// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck history accept TEST... [--session ID] [--machine FINGERPRINT]`: a regression or failure becomes the start
// of its series' new baseline epoch (docs/history.md, "Baseline epochs").
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/terminal_text.hpp"
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
  std::optional<std::string> machine;
};

std::string or_unknown(const std::string& text) { return text.empty() ? "unknown" : text; }

// " on machine 'M' (--machine)" when the flag was given.
std::string on_machine(const accept_flags& f) {
  return f.machine ? fmt::format(" on machine '{}' (--machine)", terminal_safe(*f.machine)) : "";
}

// The machines the test has results on, for the message of a --machine that matched none.
std::string machines_of(store::history_store& history, const std::string& test) {
  std::set<std::string> machines;
  for (const auto& point : history.series({.name = test, .metrics = {"wall"}})) {
    if (point.outcome != verdict::error) machines.insert(point.machine);
  }
  if (machines.empty()) return "; the test has no result on any machine";
  std::string list;
  for (const auto& m : machines) list += (list.empty() ? "" : ", ") + terminal_safe(m);
  return fmt::format("; the test has results on machine(s) {}: give one of them to --machine "
                     "('perfcheck history list' shows each session's machine)",
                     list);
}

// The message of an acceptance that did not happen; empty when it did.
std::string refusal(const store::acceptance& a, const std::string& test, const accept_flags& f,
                    store::history_store& history) {
  using status = store::acceptance::status;
  const std::string location = history.location(), name = terminal_safe(test);
  if (a.outcome == status::no_such_result && f.machine) {
    return fmt::format("history {} has no result of test '{}'{}{}{}", location, name,
                       f.session ? fmt::format(" in session '{}'", terminal_safe(*f.session)) : "",
                       on_machine(f), machines_of(history, test));
  }
  if (a.outcome == status::no_such_result) {
    if (f.session) {
      return fmt::format(
          "history {} has no result of test '{}' in session '{}'; 'perfcheck "
          "history show {}' lists that session's tests",
          location, name, terminal_safe(*f.session), terminal_safe(*f.session));
    }
    return fmt::format(
        "history {} has no result of test '{}' to accept; check the name "
        "('perfcheck history show latest' lists the tests of the latest session)",
        location, name);
  }
  if (a.outcome == status::nothing_pending) {
    return fmt::format(
        "test '{}'{} has no regressed or failed result waiting for acceptance in "
        "history {} (its results since the last acceptance joined the baseline); "
        "to start a new baseline from one session's result anyway, give "
        "--session ID",
        name, on_machine(f), location);
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
    const auto a = history->accept(
        {.name = test, .session_id = session, .machine = f.machine, .accepted_at = now});
    if (const std::string problem = refusal(a, test, f, *history); !problem.empty()) {
      std::fprintf(stderr, "error: %s\n", problem.c_str());
      ++bad;
      continue;
    }
    std::printf(
        "accepted %s: baseline epoch %lld starts at its result of %s (commit %s) on "
        "branch %s, machine %s; %zu result(s) in the new epoch\n",
        terminal_safe(test).c_str(), static_cast<long long>(a.epoch),
        terminal_safe(a.first_started_at).c_str(),
        terminal_safe(or_unknown(a.first_commit.substr(0, 12))).c_str(),
        terminal_safe(or_unknown(a.series.git_branch)).c_str(),
        terminal_safe(or_unknown(a.series.machine)).c_str(), a.results);
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
      "result in --session), of the machine of its newest result (or of --machine); results\n"
      "before it no longer pool with those after it.");
  verb->add_option("tests", f->tests, "The tests to accept")->type_name("TEST...")->required();
  verb->add_option("--session", f->session,
                   "Start the new epoch at the test's result of this session ('perfcheck history "
                   "list' shows them) [default: its first result waiting for acceptance]")
      ->type_name("ID");
  verb->add_option("--machine", f->machine,
                   "Accept the series measured on this machine (its fingerprint, as 'perfcheck "
                   "history list' shows it) [default: the machine of the test's newest result]")
      ->type_name("FINGERPRINT");
  verb->add_option("--history", f->history,
                   "The history: an SQLite file or postgresql://... [default: $PERFCHECK_HISTORY]")
      ->type_name("HISTORY");
  return [f, verb]() -> int { return verb->parsed() ? accept(*f) : -1; };
}

}  // namespace perfcheck::cli
