// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The subcommands: each file registers its options on the CLI11 app and returns a function
// that runs it once the command line is parsed.
#pragma once

#include <functional>

#include <CLI/App.hpp>

namespace perfcheck::cli {

/// Exit codes of perfcheck (documented in --help and the README).
enum exit_code : int {
  exit_ok = 0,               ///< pass, improved, or inconclusive allowed
  exit_verdict_failed = 1,   ///< threshold, regression or limit
  exit_usage = 2,            ///< bad flags, spec or expression
  exit_command_failed = 3,   ///< the measured command failed or could not be started
  exit_internal = 4,         ///< perfcheck itself could not work (disk full, I/O error, bug)
};

/// Runs a parsed subcommand and returns its exit code.
using command_action = std::function<int()>;

/// `perfcheck run`: measure one command and gate it.
command_action add_run_command(CLI::App& app);

/// `perfcheck validate`: check spec files without running them.
command_action add_validate_command(CLI::App& app);

}  // namespace perfcheck::cli
