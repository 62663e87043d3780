// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The verbs of `perfcheck server`: start (fork the supervisor, wait for its report), stop
// (signal the supervisor, wait for it, report how the server ended) and status.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "perfcheck/cli/server_state.hpp"
#include "perfcheck/cli/server_supervisor.hpp"

namespace perfcheck::cli {

/// The options of `perfcheck server`, as given.
struct server_options {
  std::string name;
  std::string state_dir;
  std::string port;  ///< "auto", a number or "" (none)
  std::string ready;
  std::string ready_timeout = "10s";
  std::string grace = "5s";
  std::vector<std::string> environment;
  std::string working_directory;
  pid_t lifeline = -1;  ///< -1: the parent of `server start`
  std::vector<std::string> thresholds;
  std::vector<std::string> limits;  ///< "MEMORY=64MiB", "CPU_TIME=10s"
  std::vector<std::string> command;
};

/// Starts the server and waits for its supervisor's report: 0 ready (a console line and the
/// CTest measurement server.ready_ms), 1 a threshold on server.ready failed (the server is
/// stopped); throws command_error (exit 3) for an early exit or a timeout, with the logs' last
/// lines, and usage_error for a server of that name that already runs or a bad threshold.
int start_server(const server_launch& launch, const std::vector<std::string>& thresholds);

/// Stops the server: 0 stopped, or nothing to stop (said so); 3 when it had exited by itself
/// before the stop.
int stop_server(const std::string& name, const std::filesystem::path& state_dir);

/// 0 when the server runs (its pids, port and logs printed), 3 when it does not.
int server_status(const std::string& name, const std::filesystem::path& state_dir);

}  // namespace perfcheck::cli
