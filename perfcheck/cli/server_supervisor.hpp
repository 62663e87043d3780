// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The supervisor of a server under test: a perfcheck process in its own session, holding none
// of its starter's descriptors, that starts the server, waits for its ready check, and stops
// its whole tree on `perfcheck server stop` (SIGTERM), when its lifeline (the process that ran
// `perfcheck server start`, ctest under CTest) dies, or at a failed start.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "perfcheck/cli/server_ready.hpp"

namespace perfcheck::cli {

/// Everything the supervisor needs, checked and substituted by `server start`.
struct server_launch {
  std::string name;
  std::filesystem::path state_dir;
  ready_check check;
  int port = 0;                           ///< 0: none
  std::int64_t ready_timeout_ns = 10'000'000'000;
  std::int64_t grace_ns = 5'000'000'000;  ///< SIGTERM to SIGKILL
  std::string program;                    ///< resolved path of argv[0]
  std::vector<std::string> argv;
  std::vector<std::string> environment;   ///< the whole environment of the server
  std::filesystem::path working_directory;
  pid_t lifeline = 0;                     ///< the supervisor stops everything when it dies
  std::int64_t memory_limit_bytes = 0;    ///< LIMITS MEMORY: summed RSS of the tree; 0: none
  std::int64_t cpu_limit_ns = 0;          ///< LIMITS CPU_TIME: CPU time of the tree; 0: none
};

/// The supervisor's one-line report to `server start` on `report_fd`: "ready <ms>",
/// "exited <how>", "timeout <what was seen>" or "error <text>".
[[noreturn]] void run_supervisor(const server_launch& launch, int report_fd);

/// "exit status 3", "signal SIGKILL (9)" for a wait status.
std::string describe_wait_status(int status);

/// <state-dir>/<name>.out, .err and .supervisor.log.
std::filesystem::path server_log_path(const server_launch& launch, const char* suffix);

}  // namespace perfcheck::cli
