// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck server stop` and `status`: the state file read, the supervisor signalled and
// waited for.
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/exec/unique_fd.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/cli/server_lifecycle.hpp"
#include "perfcheck/cli/terminal_text.hpp"

namespace perfcheck::cli {
namespace {

// Waits up to `limit` for `pid` (not a child of this process) to end; true when it did. Without
// pidfd_open (a kernel before 5.3, a seccomp profile that refuses it) it polls kill(pid, 0).
bool wait_gone(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  exec::unique_fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd && errno == ESRCH) return true;
  pollfd p{pidfd.get(), POLLIN, 0};
  while (std::chrono::steady_clock::now() < deadline) {
    if (pidfd) {
      if (::poll(&p, 1, 100) > 0) return true;
    } else {
      if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
      ::usleep(20'000);
    }
  }
  return false;
}

std::string name_of(const std::string& name) { return terminal_safe(name); }

}  // namespace

int stop_server(const std::string& name, const std::filesystem::path& state_dir) {
  const auto file = state_file_path(state_dir, name);
  const auto before = read_server_state(file);
  if (!before) {
    std::printf("perfcheck server %s: not running (no state file %s); nothing to stop\n", name_of(name).c_str(),
                terminal_safe(file.string()).c_str());
    return exit_ok;
  }
  // The supervisor stops the tree itself (SIGTERM, the grace period, SIGKILL) and records how the
  // server ended; a minute covers any grace period a test would set, on a loaded machine.
  if (::kill(before->supervisor_pid, SIGTERM) == 0 && !wait_gone(before->supervisor_pid, std::chrono::seconds(120))) {
    ::kill(before->supervisor_pid, SIGKILL);
    ::kill(-before->server_pid, SIGKILL);
    throw std::runtime_error(fmt::format("server '{}': its supervisor (pid {}) did not end within 120 s of SIGTERM; "
                                         "it and the server's process group were killed", name, before->supervisor_pid));
  }
  const auto after = read_server_state(file).value_or(*before);
  std::filesystem::remove(file);
  if (after.status == "running") {  // the supervisor was gone before: nothing recorded the end
    ::kill(-before->server_pid, SIGKILL);
    std::printf("perfcheck server %s: its supervisor (pid %d) had ended; the server's process group was killed\n",
                name_of(name).c_str(), static_cast<int>(before->supervisor_pid));
    return exit_ok;
  }
  const std::string killed = after.left_killed > 0
      ? fmt::format("; {} process(es) did not end on SIGTERM and were killed", after.left_killed) : "";
  if (before->status == "exited" && !after.limit.empty()) {
    std::fprintf(stderr, "error: server '%s' was stopped during the tests at its %s; it ended with %s; see %s\n",
                 name_of(name).c_str(), after.limit.c_str(), after.exit.c_str(), terminal_safe(after.stderr_log).c_str());
    return exit_command_failed;
  }
  if (before->status == "exited") {
    std::fprintf(stderr, "error: server '%s' had ended by itself with %s before it was stopped (during the tests)"
                 "%s; see %s\n", name_of(name).c_str(), after.exit.c_str(), killed.c_str(),
                 terminal_safe(after.stderr_log).c_str());
    return exit_command_failed;
  }
  std::printf("perfcheck server %s: stopped, the server ended with %s%s\n", name_of(name).c_str(), after.exit.c_str(),
              killed.c_str());
  return exit_ok;
}

int server_status(const std::string& name, const std::filesystem::path& state_dir) {
  const auto file = state_file_path(state_dir, name);
  const auto state = read_server_state(file);
  if (!state || state->status == "stopped" || ::kill(state->supervisor_pid, 0) != 0) {
    std::printf("perfcheck server %s: not running\n", name_of(name).c_str());
    return exit_command_failed;
  }
  std::printf("perfcheck server %s: %s, pid %d (supervisor %d), port %d, ready after %.1f ms (%s); logs %s, %s\n",
              name_of(name).c_str(), state->status == "running" ? "running" : ("ended with " + state->exit).c_str(),
              static_cast<int>(state->server_pid), static_cast<int>(state->supervisor_pid), state->port, state->ready_ms,
              state->ready_check.c_str(), terminal_safe(state->stdout_log).c_str(), terminal_safe(state->stderr_log).c_str());
  return state->status == "running" ? exit_ok : exit_command_failed;
}

}  // namespace perfcheck::cli
