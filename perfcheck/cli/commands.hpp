// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The subcommands: each file registers its options on the CLI11 app and returns a function
// that runs it once the command line is parsed.
#pragma once

#include <functional>
#include <cstddef>
#include <string>
#include <vector>

#include <CLI/App.hpp>

namespace perfcheck::cli {

/// Exit codes of perfcheck (documented in --help and the README).
enum exit_code : int {
  exit_ok = 0,               ///< pass, improved, or inconclusive allowed
  exit_verdict_failed = 1,   ///< threshold, regression or limit
  exit_usage = 2,            ///< bad flags, spec or expression
  exit_command_failed = 3,   ///< the measured command failed or could not be started
  exit_internal = 4,         ///< perfcheck itself could not work (disk full, I/O error, bug)
  exit_skipped = 77,         ///< a gate could not be measured here (add_perf_test: SKIP_RETURN_CODE)
};

/// Runs a parsed subcommand and returns its exit code.
using command_action = std::function<int()>;

/// `perfcheck run`: measure one command and gate it.
command_action add_run_command(CLI::App& app);

/// `perfcheck validate`: check spec files without running them.
command_action add_validate_command(CLI::App& app);

/// Compiles every spec file as `perfcheck run` would before it starts anything; prints one
/// "error: ..." line per file that does not compile and returns how many did not.
std::size_t print_spec_errors(const std::vector<std::string>& files);

/// `perfcheck session start|finish`: the session fixture of `ctest -L perf`.
command_action add_session_command(CLI::App& app);

/// `perfcheck history list|show|export|import|prune`: the recorded results.
command_action add_history_command(CLI::App& app);

/// `perfcheck history accept`, registered on the `history` subcommand; the function returns
/// -1 when another verb was given.
std::function<int()> add_history_accept_verb(CLI::App* history);

/// `perfcheck history import` (history_import.cpp), added to the `history` subcommand; the
/// returned action is -1 when the verb was not given.
std::function<int()> add_history_import_verb(CLI::App* history);

/// `perfcheck history sync` and `history copy` (history_sync_command.cpp); like the accept verb.
std::function<int()> add_history_sync_verbs(CLI::App* history);

/// `perfcheck report`: HTML, Markdown, JUnit and JSON reports from the history.
command_action add_report_command(CLI::App& app);

/// What `perfcheck report` writes, and from which history and session.
struct report_request {
  std::string history;  ///< the SQLite file; empty: PERFCHECK_HISTORY
  std::string out;      ///< the folder to write into
  std::string session = "latest";
  std::string formats = "html,md,junit,json";
  std::string base_url;
  std::string gnuplot = "gnuplot";
  unsigned jobs = 0;    ///< 0: one per CPU
  bool quiet = false;
  std::string machine = "this";  ///< whose trends: "this" (the session's machine), "all", a fingerprint
};

/// Writes the report of `request` (what `perfcheck report` does; the session fixture's cleanup
/// calls it too). Throws usage_error for bad options, an unreadable history or an unknown
/// session.
int write_report(const report_request& request);

/// `perfcheck compare A B`: the regression rules between two sets of results, test by test.
command_action add_compare_command(CLI::App& app);

/// `perfcheck baseline accept|show|diff`: reviewed baseline files (perfcheck/baseline/v1).
command_action add_baseline_command(CLI::App& app);

/// `perfcheck calibrate -- CMD`: A/A comparisons that measure this machine's noise.
command_action add_calibrate_command(CLI::App& app);

/// `perfcheck server start|stop|status`: a server under test (add_perf_server).
command_action add_server_command(CLI::App& app);

/// `perfcheck load --url URL ...`: the built-in HTTP load generator, gated (docs/load.md).
command_action add_load_command(CLI::App& app);

}  // namespace perfcheck::cli
