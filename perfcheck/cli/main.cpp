// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Parses the command line, dispatches to one subcommand, and turns errors into the
// documented exit codes. Nothing else lives here.
#include <cstdio>
#include <exception>
#include <new>
#include <optional>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/console.hpp"
#include "perfcheck/cli/standard_output.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/store/history_store.hpp"
#include "perfcheck/version.hpp"

namespace {

using namespace perfcheck::cli;

// Parses the command line; nullopt to go on, else the exit code (help, version, a parse error).
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s\nRun 'perfcheck --help' or 'perfcheck <command> --help' for usage.\n",
                 e.what());
    return exit_usage;
  }
  return std::nullopt;
}

// An error's text for stderr: messages quote spec values, JSON values, hook and client output,
// so no control character gets through, and no '<' that CTest would read as a tag.
std::string safe_message(const char* what) {
  return perfcheck::cli::escape_ctest_tags(perfcheck::cli::terminal_safe_lines(what));
}

// Runs the parsed subcommand; its errors become the documented exit codes.
int dispatch(const std::vector<std::pair<CLI::App*, command_action>>& commands) {
  try {
    for (const auto& [sub, action] : commands) {
      if (sub->parsed()) return action();
    }
    return exit_usage;
  } catch (const perfcheck::usage_error& e) {
    std::fprintf(stderr, "error: %s\n", safe_message(e.what()).c_str());
    return exit_usage;
  } catch (const perfcheck::command_error& e) {
    std::fprintf(stderr, "error: %s\n", safe_message(e.what()).c_str());
    return exit_command_failed;
  } catch (const perfcheck::store::history_error& e) {
    // The store's messages name the file, what failed and a fix; a refused file is a usage problem.
    std::fprintf(stderr, "error: %s\n", safe_message(e.what()).c_str());
    return e.refused() ? exit_usage : exit_internal;
  } catch (const std::system_error& e) {
    // An OS call failed (disk full, read-only, permission, I/O): what() names the call, the
    // path and the OS's words. Not a bug of perfcheck.
    std::fprintf(stderr, "error: %s\n", safe_message(e.what()).c_str());
    return exit_internal;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory\n");
    return exit_internal;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal: %s\nPlease report this with the command line.\n",
                 safe_message(e.what()).c_str());
    return exit_internal;
  }
}

}  // namespace

int main(int argc, char** argv) {
  install_checked_stdout();
  perfcheck::install_temp_file_cleanup();
  CLI::App app{"perfcheck: performance tests with thresholds, for CMake/CTest projects", "perfcheck"};
  app.set_version_flag("--version", std::string("perfcheck ") + perfcheck::version);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 pass, 1 the performance verdict failed (threshold, regression, limit),\n"
      "2 usage or spec error, 3 the measured command failed (not found, crashed, non-zero exit),\n"
      "4 perfcheck itself could not work (disk full, I/O error).\n"
      "Run 'perfcheck <command> --help' for a command's options.");

  std::vector<std::pair<CLI::App*, command_action>> commands;
  auto remember = [&](command_action action) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(action));
  };
  remember(add_run_command(app));
  remember(add_validate_command(app));
  remember(add_compare_command(app));
  remember(add_baseline_command(app));
  remember(add_calibrate_command(app));
  remember(add_session_command(app));
  remember(add_history_command(app));
  remember(add_report_command(app));
  remember(add_server_command(app));
  remember(add_load_command(app));
  if (const auto code = parse(app, argc, argv)) return finish_stdout(*code);
  return finish_stdout(dispatch(commands));
}
