// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck server start|stop|status`: a server under test, the setup and cleanup of the CTest
// fixture add_perf_server registers (docs/servers.md).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/exec/program_lookup.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/limits.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/cli/server_lifecycle.hpp"

extern char** environ;

namespace perfcheck::cli {
namespace {

// Checks the options into a launch: the port picked, {port} substituted, the program resolved.
server_launch launch_of(const server_options& o) {
  if (auto problem = server_name_problem(o.name); !problem.empty()) {
    throw usage_error(fmt::format("--name '{}' {}; e.g. --name web_api", o.name, problem));
  }
  if (o.command.empty()) {
    throw usage_error("perfcheck server start: no server command; give it after '--', e.g. "
                      "perfcheck server start --name web --state-dir D --port auto -- ./my_server --port {port}");
  }
  server_launch launch;
  launch.name = o.name;
  launch.state_dir = std::filesystem::absolute(o.state_dir);
  if (o.port == "auto") {
    launch.port = free_loopback_port();
  } else if (!o.port.empty()) {
    if (o.port.find_first_not_of("0123456789") != std::string::npos || o.port.size() > 5 ||
        std::stoi(o.port) < 1 || std::stoi(o.port) > 65535) {
      throw usage_error(fmt::format("--port '{}' is not a port; write --port auto or a number from 1 to 65535", o.port));
    }
    launch.port = std::stoi(o.port);
  }
  launch.check = parse_ready_check(o.ready, launch.port > 0);
  launch.ready_timeout_ns = static_cast<std::int64_t>(parse_duration_ns(o.ready_timeout));
  launch.grace_ns = static_cast<std::int64_t>(parse_duration_ns(o.grace));
  if (launch.ready_timeout_ns <= 0) throw usage_error(fmt::format("--ready-timeout '{}' is no time; write e.g. 10s", o.ready_timeout));
  const level port{{"port", std::to_string(launch.port)}};
  for (const auto& a : o.command) launch.argv.push_back(substitute(a, port, true));
  std::vector<std::string> extra;
  for (const auto& e : o.environment) extra.push_back(substitute(e, port, true));
  if (launch.port > 0) {
    extra.push_back("PERFCHECK_SERVER_PORT=" + std::to_string(launch.port));
    extra.push_back(server_port_variable(o.name) + "=" + std::to_string(launch.port));
  }
  launch.environment = exec::merge_environment(environ, extra, false);
  launch.working_directory = exec::command_directory(substitute(o.working_directory, port, true));
  launch.program = exec::resolve_program(launch.argv.front(), launch.environment, launch.working_directory).string();
  launch.lifeline = o.lifeline >= 0 ? o.lifeline : ::getppid();
  for (const auto& text : o.limits) {
    std::pair<limit_kind, std::int64_t> limit;
    try {
      limit = parse_limit_assignment(text);
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("--limit '{}': {}", text, e.what()));
    }
    if (limit.first == limit_kind::memory) {
      launch.memory_limit_bytes = limit.second;
    } else if (limit.first == limit_kind::cpu_time) {
      launch.cpu_limit_ns = limit.second;
    } else {
      throw usage_error(fmt::format("--limit '{}': a server takes the limits MEMORY and CPU_TIME (of its whole tree, "
                                    "while it serves); the other limits are per run of a test", text));
    }
  }
  return launch;
}

void add_start_options(CLI::App& start, server_options& o) {
  start.add_option("--port", o.port, "auto (a free 127.0.0.1 port) or N; {port} in the command, --env and --cwd "
                   "and PERFCHECK_SERVER_PORT carry it [default: none]")->type_name("auto|N");
  start.add_option("--ready", o.ready, "When the server is ready: http:/PATH[:STATUS] (GET, default status 200), tcp "
                   "(a connect succeeds), log:REGEX (a line of its output matches) or none [default: tcp with a port, "
                   "else none]")->type_name("CHECK");
  start.add_option("--ready-timeout", o.ready_timeout, "How long the check may take to pass [default: 10s]")->type_name("DURATION");
  start.add_option("--grace", o.grace, "Between SIGTERM and SIGKILL when it is stopped [default: 5s]")->type_name("DURATION");
  start.add_option("--env", o.environment, "VAR=value for the server, on top of the inherited environment (repeatable)")
      ->type_name("VAR=VALUE")->take_all()->allow_extra_args(false);
  start.add_option("--cwd", o.working_directory, "Where the server runs [default: the current folder]")->type_name("DIR");
  start.add_option("--lifeline", o.lifeline, "Stop the server when this process ends; 0: never [default: the parent of "
                   "'server start', ctest under CTest]")->type_name("PID");
  start.add_option("--threshold", o.thresholds, "A gate on the start-up, 'server.ready < 500ms': start fails (exit 1, "
                   "server stopped) when it does not hold (repeatable)")->type_name("EXPR")->take_all()->allow_extra_args(false);
  start.add_option("--limit", o.limits, "MEMORY=SIZE or CPU_TIME=DURATION of the server's whole tree while it serves: "
                   "past it the tree is killed and the tests fail (repeatable)")->type_name("KIND=VALUE")->take_all()->allow_extra_args(false);
  start.add_option("command", o.command, "The server program and its arguments, after '--'")->type_name("CMD...");
}

}  // namespace

command_action add_server_command(CLI::App& app) {
  auto o = std::make_shared<server_options>();
  CLI::App* sub = app.add_subcommand("server", "Start, stop or show a server under test (the CTest fixture of add_perf_server)");
  sub->description(
      "add_perf_server registers 'server start' and 'server stop' as the setup and cleanup of a CTest fixture.\n"
      "The server runs under a perfcheck supervisor in its own session, its output in STATE_DIR/NAME.out and\n"
      ".err; stop sends SIGTERM to its whole tree and SIGKILL after the grace period. Exit codes: 0 ready or\n"
      "stopped, 1 a --threshold failed, 2 usage, 3 the server failed (exited, never ready, or exited by itself\n"
      "before stop), 4 perfcheck failed. See docs/servers.md.");
  sub->require_subcommand(1);
  CLI::App* start = sub->add_subcommand("start", "Start the server and wait until it is ready");
  CLI::App* stop = sub->add_subcommand("stop", "Stop the server's whole tree and report how it ended");
  CLI::App* status = sub->add_subcommand("status", "Show whether the server runs, its pids and port (exit 3: not running)");
  for (CLI::App* verb : {start, stop, status}) {
    verb->add_option("--name", o->name, "The server's name (add_perf_server NAME)")->type_name("NAME")->required();
    verb->add_option("--state-dir", o->state_dir, "Folder of its state file NAME.json and logs")->type_name("DIR")->required();
  }
  add_start_options(*start, *o);
  return [o, start, stop] {
    if (start->parsed()) return start_server(launch_of(*o), o->thresholds);
    if (auto problem = server_name_problem(o->name); !problem.empty()) {
      throw usage_error(fmt::format("--name '{}' {}", o->name, problem));
    }
    return stop->parsed() ? stop_server(o->name, o->state_dir) : server_status(o->name, o->state_dir);
  };
}

}  // namespace perfcheck::cli
