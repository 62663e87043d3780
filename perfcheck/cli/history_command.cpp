// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck history list|show|export|import|prune` (and `accept`, history_accept_command.cpp): look into, move and trim the history
// that `perfcheck run --history` records.
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/history_output.hpp"
#include "perfcheck/cli/standard_output.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

struct history_flags {
  std::string history;  // --history, else PERFCHECK_HISTORY
  bool json = false;    // list, show: --json
  // show
  std::string session;
  std::string test;
  std::string machine;
  std::string branch;
  std::string spec_hash;
  std::size_t last = 0;
  // export
  std::string output = "-";
  // prune
  std::optional<int> older_than_days;
  std::optional<std::size_t> keep_last;
};

std::string require_location(const history_flags& f) {
  const std::string location = store::history_location(f.history);
  if (location.empty()) {
    throw usage_error("no history file; give --history FILE or set PERFCHECK_HISTORY");
  }
  return location;
}

std::string verdict_counts(const std::map<verdict, std::size_t>& counts) {
  std::string out;
  for (const auto& [v, n] : counts) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", n, to_string(v));
  }
  return out;
}

// Text from the history for the terminal: "-" when empty, control characters written out.
std::string or_dash(const std::string& text) { return text.empty() ? "-" : terminal_safe(text); }

std::string median_of(const std::map<std::string, metric_summary>& summary, const char* metric,
                      bool size) {
  const auto it = summary.find(metric);
  if (it == summary.end() || it->second.n == 0) return "-";
  return size ? format_size(it->second.median) : format_duration(it->second.median);
}

int list_sessions(const history_flags& f) {
  const std::string location = require_location(f);
  auto history = store::open_history_read_only(location);
  auto sessions = history->sessions();
  std::erase_if(sessions, [&](const store::session_info& s) {
    return (!f.machine.empty() && s.machine != f.machine) || (!f.branch.empty() && s.git_branch != f.branch);
  });
  if (f.json) {
    write_stdout(pretty_json(sessions_to_json(history->location(), sessions)));
    check_stdout();
    return exit_ok;
  }
  if (sessions.empty()) {
    if (!f.machine.empty() || !f.branch.empty()) {
      std::printf("no session in %s matches --machine/--branch\n", terminal_safe(history->location()).c_str());
      return exit_ok;
    }
    std::printf("no results in %s yet; record some with 'perfcheck run --history %s'\n",
                terminal_safe(history->location()).c_str(), terminal_safe(history->location()).c_str());
    return exit_ok;
  }
  std::printf("%-28s %-24s %7s  %-10s %-12s %s\n", "SESSION", "STARTED", "RESULTS", "BRANCH",
              "COMMIT", "VERDICTS");
  for (const auto& s : sessions) {
    std::printf("%-28s %-24s %7zu  %-10s %-12s %s\n", s.id.empty() ? "(none)" : terminal_safe(s.id).c_str(),
                or_dash(s.started_at).c_str(), s.results, or_dash(s.git_branch).c_str(),
                or_dash(s.git_commit.substr(0, 12)).c_str(), verdict_counts(s.verdicts).c_str());
  }
  return exit_ok;
}

int show_session(store::history_store& history, std::string id, bool json) {
  if (id == "latest") {
    const auto sessions = history.sessions();
    if (sessions.empty())
      throw usage_error(fmt::format("history {} has no sessions yet", history.location()));
    id = sessions.back().id;
  }
  const auto results = history.session_results(id == "(none)" ? "" : id);
  if (results.empty()) {
    throw usage_error(
        fmt::format("history {} has no session '{}'; 'perfcheck history list' shows "
                    "the sessions",
                    history.location(), terminal_safe(id)));
  }
  if (json) {
    write_stdout(pretty_json(store::history_to_json(results)));
    check_stdout();
    return exit_ok;
  }
  const auto& first = results.front().result.context;
  std::printf("session %s: %zu result(s), machine %s, branch %s, commit %s\n",
              id.empty() ? "(none)" : terminal_safe(id).c_str(), results.size(), or_dash(first.machine).c_str(),
              or_dash(first.git_branch).c_str(), or_dash(first.git_commit).c_str());
  std::printf("  %-12s %12s %12s %5s  %s\n", "VERDICT", "WALL MEDIAN", "RSS MEDIAN", "RUNS",
              "TEST");
  for (const auto& entry : results) {
    const run_result& r = entry.result;
    std::printf("  %-12s %12s %12s %5zu  %s\n", to_string(r.outcome),
                median_of(r.summary, "wall", false).c_str(),
                median_of(r.summary, "rss", true).c_str(), r.runs.size(), terminal_safe(r.name).c_str());
    for (const auto& reason : r.reasons) std::printf("  %12s %s\n", "", terminal_safe(reason).c_str());
  }
  return exit_ok;
}

int show_series(store::history_store& history, const history_flags& f) {
  const auto points = history.series({.name = f.test,
                                      .spec_hash = f.spec_hash,
                                      .machine = f.machine,
                                      .git_branch = f.branch,
                                      .last = f.last});
  if (points.empty()) {
    throw usage_error(
        fmt::format("history {} has no result of test '{}' with these filters; "
                    "'perfcheck history show latest' lists the test names of the "
                    "latest session",
                    history.location(), terminal_safe(f.test)));
  }
  if (f.json) {
    write_stdout(pretty_json(series_to_json(history.location(), f.test, points)));
    check_stdout();
    return exit_ok;
  }
  std::printf("test %s: %zu result(s)\n", terminal_safe(f.test).c_str(), points.size());
  std::printf("  %-24s %-12s %-10s %-12s %12s %12s  %s\n", "STARTED", "COMMIT", "BRANCH", "VERDICT",
              "WALL MEDIAN", "RSS MEDIAN", "MACHINE");
  for (const auto& p : points) {
    std::printf("  %-24s %-12s %-10s %-12s %12s %12s  %s\n", or_dash(p.started_at).c_str(),
                or_dash(p.git_commit.substr(0, 12)).c_str(), or_dash(p.git_branch).c_str(),
                to_string(p.outcome), median_of(p.summary, "wall", false).c_str(),
                median_of(p.summary, "rss", true).c_str(), or_dash(p.machine).c_str());
  }
  return exit_ok;
}

int show(const history_flags& f) {
  if (f.session.empty() == f.test.empty()) {
    throw usage_error(
        "give a SESSION id (or 'latest') or --test NAME; 'perfcheck history list' "
        "shows the sessions");
  }
  auto history = store::open_history_read_only(require_location(f));
  return f.test.empty() ? show_session(*history, f.session, f.json) : show_series(*history, f);
}

int export_history(const history_flags& f) {
  auto history = store::open_history_read_only(require_location(f));
  try {
    const std::size_t count = export_history_to(*history, f.output);
    if (f.output != "-") std::fprintf(stderr, "exported %zu result(s) to %s\n", count, f.output.c_str());
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "error: history export: %s; %s: free space or choose another place, and "
                 "export again\n",
                 e.what(), f.output == "-" ? "the output is incomplete" : "the file was left as it was");
    return exit_internal;
  }
  return exit_ok;
}

int prune(const history_flags& f) {
  if (!f.older_than_days && !f.keep_last) {
    throw usage_error("say what to remove: --older-than-days N, --keep-last N, or both");
  }
  if (f.older_than_days && *f.older_than_days < 0) {
    throw usage_error(fmt::format("--older-than-days {}: use 0 or more days", *f.older_than_days));
  }
  if (f.keep_last && *f.keep_last == 0) {
    throw usage_error(
        "--keep-last 0 would empty every series; keep 1 or more (to start over, delete the history "
        "file, or drop the schema perfcheck of a PostgreSQL history)");
  }
  store::prune_policy policy;
  if (f.older_than_days) {
    const auto cutoff =
        std::chrono::system_clock::now() - std::chrono::hours(24) * *f.older_than_days;
    policy.started_before = run::rfc3339(cutoff);
  }
  policy.keep_last = f.keep_last;
  const std::string location = require_location(f);
  auto history = store::open_history(location, false);
  const std::size_t removed = history->prune(policy);
  std::printf("removed %zu result(s) from %s\n", removed, terminal_safe(history->location()).c_str());
  return exit_ok;
}

// The store's errors carry their own message; refused files are a usage problem (exit 2),
// failed reads or writes are perfcheck's (exit 4).
int guarded(const std::function<int()>& verb) {
  try {
    return verb();
  } catch (const store::history_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return e.refused() ? exit_usage : exit_internal;
  }
}

void add_history_option(CLI::App* verb, history_flags& f) {
  verb->add_option("--history", f.history,
                   "The history: an SQLite file or postgresql://... [default: $PERFCHECK_HISTORY]")
      ->type_name("HISTORY");
}

void add_json_flag(CLI::App* verb, history_flags& f) {
  verb->add_flag("--json", f.json, "Print JSON instead of a table (see docs/history.md)");
}

// `history show SESSION` or `history show --test NAME [filters]`.
CLI::App* add_show_verb(CLI::App* sub, history_flags& f) {
  CLI::App* show_cmd = sub->add_subcommand("show", "Show a session's results, or one test's results over time");
  show_cmd
      ->add_option("session", f.session,
                   "Session id from 'perfcheck history list', 'latest', or '(none)' for results "
                   "without a session")
      ->type_name("SESSION");
  show_cmd->add_option("--test", f.test, "Show this test's series instead of a session")
      ->type_name("NAME");
  show_cmd
      ->add_option("--machine", f.machine,
                   "With --test: only this machine fingerprint [default: any]")
      ->type_name("FINGERPRINT");
  show_cmd->add_option("--branch", f.branch, "With --test: only this git branch [default: any]")
      ->type_name("BRANCH");
  show_cmd
      ->add_option("--spec-hash", f.spec_hash, "With --test: only this spec hash [default: any]")
      ->type_name("HASH");
  show_cmd->add_option("--last", f.last, "With --test: only the newest N results [default: all]")
      ->type_name("N");
  add_history_option(show_cmd, f);
  add_json_flag(show_cmd, f);
  return show_cmd;
}

}  // namespace

command_action add_history_command(CLI::App& app) {
  auto f = std::make_shared<history_flags>();
  CLI::App* sub =
      app.add_subcommand("history", "List, show, export, import, prune, accept, sync or copy the result history");
  sub->description(
      "The history is an SQLite file, or a PostgreSQL database (postgresql://...), that\n"
      "'perfcheck run --history' (or PERFCHECK_HISTORY) adds every result to. See docs/history.md\n"
      "for its schema and guarantees, docs/history-fleet.md for one history of many CI machines.");
  sub->require_subcommand(1);

  CLI::App* list = sub->add_subcommand(
      "list", "List the sessions: start, result count, branch, commit, verdicts");
  list->add_option("--machine", f->machine, "Only the sessions of this machine fingerprint [default: any]")
      ->type_name("FINGERPRINT");
  list->add_option("--branch", f->branch, "Only the sessions of this git branch [default: any]")
      ->type_name("BRANCH");
  add_history_option(list, *f);
  add_json_flag(list, *f);

  CLI::App* show_cmd = add_show_verb(sub, *f);

  CLI::App* export_cmd =
      sub->add_subcommand("export", "Write every result as JSON (perfcheck/history/v1)");
  export_cmd
      ->add_option("-o,--output", f->output,
                   "Write to FILE (atomically) instead of stdout [default: -]")
      ->type_name("FILE");
  add_history_option(export_cmd, *f);

  CLI::App* prune_cmd =
      sub->add_subcommand("prune", "Remove old results, by age, by count per series, or both");
  prune_cmd
      ->add_option("--older-than-days", f->older_than_days,
                   "Remove results that started more than N days ago")
      ->type_name("N");
  prune_cmd
      ->add_option("--keep-last", f->keep_last,
                   "Keep only the newest N results of each series (test, spec, machine, branch)")
      ->type_name("N");
  add_history_option(prune_cmd, *f);
  const std::function<int()> accept_cmd = add_history_accept_verb(sub);
  const std::function<int()> import_cmd = add_history_import_verb(sub);
  const std::function<int()> sync_cmds = add_history_sync_verbs(sub);

  return [f, list, show_cmd, export_cmd, import_cmd, accept_cmd, sync_cmds] {
    return guarded([&]() -> int {
      if (const int status = accept_cmd(); status >= 0) return status;
      if (const int status = sync_cmds(); status >= 0) return status;
      if (const int status = import_cmd(); status >= 0) return status;
      if (list->parsed()) return list_sessions(*f);
      if (show_cmd->parsed()) return show(*f);
      if (export_cmd->parsed()) return export_history(*f);
      return prune(*f);
    });
  };
}

}  // namespace perfcheck::cli
