// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The unmeasured commands around a test's runs: SETUP once before the first run, PREPARE before
// every run, CLEANUP once after the last (docs/setup.md). Argv only, never a shell.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck::run {

/// Which unmeasured command.
enum class hook_kind { setup, prepare, cleanup };

/// "SETUP", "PREPARE", "CLEANUP": the add_perf_test keyword, as messages name it.
const char* to_string(hook_kind kind);

/// The bound on one hook's wall time when the test has no TIMEOUT limit: a hanging PREPARE is
/// stopped after it, and the test is an error.
inline constexpr std::int64_t default_hook_timeout_ns = 600'000'000'000;  // 10 min

/// Runs a test's (or a level's) unmeasured commands; an interface, so that the run loop and the
/// sweep are tested with fakes.
class hook_runner {
 public:
  virtual ~hook_runner() = default;
  /// Runs the command of `kind` once, when the spec has one. One that fails (not found, non-zero
  /// exit, a signal, a limit) throws command_error naming the kind, argv[0], how it ended and
  /// the last lines of its output.
  virtual void run(hook_kind kind) = 0;
};

/// Makes the hook runner of a spec (a level's spec in a sweep).
using hook_factory = std::function<std::unique_ptr<hook_runner>(const run_spec& spec)>;

/// Runs the hooks as real processes through the launcher, under the test's limits (its TIMEOUT,
/// else default_hook_timeout_ns), working directory and environment. Their output goes to
/// `<output_dir>/<name>.<kind>.stdout|.stderr` (the last of each kind kept), without an
/// output_dir to a temporary folder removed afterwards, and through with show_output: never
/// into the measured command's captured output.
std::unique_ptr<hook_runner> process_hooks(const run_spec& spec);

/// Wraps the executor of a command (or a baseline command) so that PREPARE runs before every one
/// of its runs. Pipelining is off: the promise of a follow-up is not passed on, since a run that
/// the launcher started on its own would start before its PREPARE.
std::unique_ptr<exec::executor> with_prepare(std::unique_ptr<exec::executor> inner,
                                             std::shared_ptr<hook_runner> hooks);

/// Whether SETUP and CLEANUP of a sweep run at every level rather than once per test: when
/// either's arguments or the working directory use a placeholder.
bool hooks_per_level(const test_plan& plan);

/// The spec that once-per-test SETUP and CLEANUP of a sweep run with: the test's, without the
/// environment entries whose values use a placeholder (they have no one value for the test).
run_spec test_hook_spec(const test_plan& plan);

/// Runs `body` between SETUP and CLEANUP of `hooks`: CLEANUP runs once SETUP succeeded, also
/// when `body` throws (the first error is the one passed on). A CLEANUP that fails after `body`
/// returned turns its result into an error with the reason (`label: ` before it, in a sweep).
run_result around(hook_runner& hooks, const std::function<run_result()>& body, const std::string& label = {});

/// A CLEANUP failure recorded in `result`: verdict error, the reason appended.
void cleanup_failed(run_result& result, const std::string& reason);

}  // namespace perfcheck::run
