// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The state file of a server under test, <state-dir>/<name>.json (perfcheck/server-state/v1):
// written atomically by its supervisor, read by `perfcheck server stop|status` and by
// `perfcheck run` for the port of a test that names the server.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace perfcheck::cli {

/// What the supervisor records about its server.
struct server_state {
  std::string name;
  pid_t supervisor_pid = 0;
  pid_t server_pid = 0;
  int port = 0;                  ///< 0: the server has no port
  std::string stdout_log;        ///< the server's stdout file
  std::string stderr_log;        ///< the server's stderr file
  std::string ready_check;       ///< the check as messages show it
  double ready_ms = 0;           ///< from the spawn to the check passing
  std::string status = "running";  ///< running, exited (by itself, during the tests) or stopped
  std::string exit;              ///< "exit status 0", "signal SIGKILL (9)"; empty while it runs
  int left_killed = 0;           ///< processes killed after the grace period
  std::string limit;             ///< the LIMITS the tree passed ("LIMITS MEMORY 64 MiB (...)"); empty: none
};

/// ", stopped by perfcheck at its LIMITS MEMORY 64 MiB (...)" for a server a limit stopped; "".
std::string state_reason(const server_state& state);

/// <dir>/<name>.json.
std::filesystem::path state_file_path(const std::filesystem::path& dir, const std::string& name);

/// Writes the state atomically (model/atomic_file). Throws system_error.
void write_server_state(const std::filesystem::path& file, const server_state& state);

/// The state in `file`, or nullopt when there is none. Throws usage_error for a file that is not
/// a perfcheck/server-state/v1 file.
std::optional<server_state> read_server_state(const std::filesystem::path& file);

/// Whether a server name is usable as a file name and an environment variable part: letters,
/// digits, '_', '-' and '.', at most 64. Returns what is wrong, or "".
std::string server_name_problem(std::string_view name);

}  // namespace perfcheck::cli
