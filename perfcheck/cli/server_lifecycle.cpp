// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/server_lifecycle.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/exec/os_error.hpp"
#include "perfcheck/exec/unique_fd.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/threshold.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/cli/terminal_text.hpp"

namespace perfcheck::cli {
namespace {

struct ready_gate {
  std::string text;
  comparison op = comparison::less;
  double limit_ns = 0;
};

// "server.ready < 500ms": the one start-up metric `server start` gates.
ready_gate parse_ready_gate(const std::string& text) {
  static const std::regex form(R"(^\s*server\.ready\s*(<=|>=|==|!=|<|>)\s*(\S.*?)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    throw usage_error(fmt::format("--threshold '{}': server start gates only the time to ready; write e.g. "
                                  "--threshold 'server.ready < 500ms'", text));
  }
  return {text, *comparison_from_string(m[1].str()), parse_duration_ns(m[2].str())};
}

bool holds(const ready_gate& g, double ns) {
  switch (g.op) {
    case comparison::less: return ns < g.limit_ns;
    case comparison::less_equal: return ns <= g.limit_ns;
    case comparison::greater: return ns > g.limit_ns;
    case comparison::greater_equal: return ns >= g.limit_ns;
    case comparison::equal: return ns == g.limit_ns;
    case comparison::not_equal: return ns != g.limit_ns;
  }
  return false;
}

bool alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Refuses a second server of that name while the first one's supervisor lives; removes the
// state of one whose supervisor is gone.
void check_not_running(const server_launch& launch) {
  const auto file = state_file_path(launch.state_dir, launch.name);
  if (const auto state = read_server_state(file); state && alive(state->supervisor_pid) && state->status != "stopped") {
    throw usage_error(fmt::format("server '{}' already runs (supervisor pid {}, state file {}); stop it first: "
                                  "perfcheck server stop --name {} --state-dir {}", launch.name, state->supervisor_pid,
                                  file.string(), launch.name, launch.state_dir.string()));
  }
  std::filesystem::remove(file);
}

std::string logs_tail(const server_launch& launch) {
  std::string out;
  for (const char* suffix : {".err", ".out"}) {
    const auto file = server_log_path(launch, suffix);
    out += fmt::format("\nlast lines of {}:\n{}", file.string(), last_lines(file, 10));
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The supervisor's one-line report; "" when it ended without one.
std::string read_report(int fd) {
  std::string line;
  char c = 0;
  while (true) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line += c;
  }
  return line;
}

// The error of a start that did not become ready: what the report says, with the logs.
[[noreturn]] void fail_start(const server_launch& launch, const std::string& report) {
  const std::string check = describe(launch.check, launch.port);
  if (report.rfind("exited ", 0) == 0) {
    throw command_error(fmt::format("server '{}' ended during start-up with {} before its ready check ({}) passed; "
                                    "it was not started.{}", launch.name, report.substr(7), check, logs_tail(launch)));
  }
  if (report.rfind("timeout ", 0) == 0) {
    const std::string other_port = launch.port > 0 ? fmt::format(
        " A server that listens on another port than {} fails here: pass it {{port}} or $PERFCHECK_SERVER_PORT.", launch.port) : "";
    throw command_error(fmt::format("server '{}' was not ready after {}: the check {} did not pass (last probe: {}); "
                                    "the server was stopped. Raise READY_TIMEOUT (--ready-timeout) if it needs longer.{}{}",
                                    launch.name, format_duration(static_cast<double>(launch.ready_timeout_ns)), check,
                                    report.substr(8), other_port, logs_tail(launch)));
  }
  const std::string what = report.rfind("error ", 0) == 0 ? report.substr(6) : "the supervisor ended without a report";
  throw std::runtime_error(fmt::format("server '{}': {} (see {})", launch.name, what,
                                       server_log_path(launch, ".supervisor.log").string()));
}

}  // namespace

int start_server(const server_launch& launch, const std::vector<std::string>& thresholds) {
  std::vector<ready_gate> gates;
  for (const auto& t : thresholds) gates.push_back(parse_ready_gate(t));
  std::filesystem::create_directories(launch.state_dir);
  check_not_running(launch);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) exec::detail::throw_errno("pipe2");
  std::fflush(nullptr);
  const pid_t supervisor = ::fork();
  if (supervisor < 0) exec::detail::throw_errno("fork");
  if (supervisor == 0) {
    ::close(fds[0]);
    run_supervisor(launch, fds[1]);
  }
  ::close(fds[1]);
  exec::unique_fd report_fd(fds[0]);
  const std::string report = read_report(report_fd.get());
  if (report.rfind("ready ", 0) != 0) {
    while (::waitpid(supervisor, nullptr, 0) < 0 && errno == EINTR) {
    }
    fail_start(launch, report);
  }
  const double ready_ms = std::stod(report.substr(6));
  const auto state = read_server_state(state_file_path(launch.state_dir, launch.name));
  std::printf("perfcheck server %s: ready after %s (%s), pid %d (supervisor %d); logs %s, %s\n",
              terminal_safe(launch.name).c_str(), format_duration(ready_ms * 1e6).c_str(),
              describe(launch.check, launch.port).c_str(), state ? static_cast<int>(state->server_pid) : 0,
              static_cast<int>(supervisor),
              terminal_safe(server_log_path(launch, ".out").string()).c_str(),
              terminal_safe(server_log_path(launch, ".err").string()).c_str());
  std::printf("<CTestMeasurement type=\"numeric/double\" name=\"server.ready_ms\">%.6g</CTestMeasurement>\n", ready_ms);
  for (const auto& g : gates) {
    if (holds(g, ready_ms * 1e6)) continue;
    std::printf("perfcheck server %s: FAILED %s (ready after %s); stopping it\n", terminal_safe(launch.name).c_str(),
                terminal_safe(g.text).c_str(), format_duration(ready_ms * 1e6).c_str());
    (void)stop_server(launch.name, launch.state_dir);
    return exit_verdict_failed;
  }
  return exit_ok;
}

}  // namespace perfcheck::cli
