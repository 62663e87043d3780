// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/served_test.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "perfcheck/cli/console.hpp"
#include "perfcheck/cli/server_ready.hpp"
#include "perfcheck/cli/server_state.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/run/server_watch.hpp"

namespace perfcheck::cli {
namespace {

// Lines of the server's log the result and the output get when the test did not pass.
constexpr int log_lines = 10;
// The server's tree is found by a walk of all /proc (it is not perfcheck's child): at most every
// 50 ms, so that the sampler does not take a CPU from the client on a busy machine.
constexpr std::int64_t server_sample_floor_ns = 50'000'000;

server_state running_state(const run_spec& spec) {
  const auto file = state_file_path(spec.server_state_dir, spec.server);
  const auto state = read_server_state(file);
  if (!state || state->status != "running") {
    throw command_error(fmt::format(
        "the server '{}' this test names is not running ({}); its CTest fixture starts it: run the test "
        "with ctest (the setup test perfcheck_server_{}_start), or start it with perfcheck server start",
        spec.server, state ? "it ended with " + state->exit + state_reason(*state) : "no state file " + file.string(),
        spec.server));
  }
  return *state;
}

// last_lines' text on one line: "a | b | c".
std::string one_line(const std::string& tail) {
  std::string joined;
  for (std::size_t at = 0; at < tail.size();) {
    const std::size_t end = std::min(tail.find('\n', at), tail.size());
    std::string line = tail.substr(at, end - at);
    if (line.starts_with("  | ")) line.erase(0, 4);  // last_lines' margin
    if (!line.empty()) joined += (joined.empty() ? "" : " | ") + line;
    at = end + 1;
  }
  return joined;
}

}  // namespace

run_spec served_spec(const run_spec& spec) {
  if (spec.server.empty()) return spec;
  return spec_with_port(spec, running_state(spec).port);
}

std::unique_ptr<exec::executor> served_executor(const run_spec& spec, const executor_maker& make) {
  if (spec.server.empty()) return make(exec::command_line_for(spec));
  const server_state state = running_state(spec);
  auto inner = make(exec::command_line_for(spec_with_port(spec, state.port)));
  const std::int64_t interval = std::max(spec.sample_interval_ns, server_sample_floor_ns);
  return run::with_server_watch(std::move(inner), state.supervisor_pid, interval);
}

void finish_served(run_result& result, const run_spec& spec, std::FILE* out) {
  if (spec.server.empty()) return;
  const auto state = read_server_state(state_file_path(spec.server_state_dir, spec.server));
  result.metadata.try_emplace("server", spec.server);
  if (!state) return;
  if (state->ready_ms > 0) result.metadata.try_emplace("server.ready", format_duration(state->ready_ms * 1e6));
  if (state->status == "exited" && !result.runs.empty()) {  // ended while the test ran (not before it)
    result.outcome = verdict::error;
    result.reasons.push_back(fmt::format("the server '{}' ended during the test with {}{}", spec.server, state->exit,
                                         state_reason(*state)));
  }
  if (result.outcome == verdict::pass || result.outcome == verdict::improved) return;
  for (const auto& log : {state->stderr_log, state->stdout_log}) {
    const std::string tail = last_lines(log, log_lines);
    result.warnings.push_back(fmt::format("the server's log {}, last lines: {}", log, one_line(tail)));
    std::fprintf(out, "last lines of the server's log %s:\n%s", escape_ctest_tags(terminal_safe(log)).c_str(),
                 escape_ctest_tags(tail).c_str());
  }
}

}  // namespace perfcheck::cli
