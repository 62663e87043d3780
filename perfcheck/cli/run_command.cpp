// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck run`: options → spec → measure → verdict → result file, console, exit code.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/accept_hint.hpp"
#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/console.hpp"
#include "perfcheck/cli/profile_console.hpp"
#include "perfcheck/cli/run_flags.hpp"
#include "perfcheck/cli/served_test.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/exec/instruction_count.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/plan/levels.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/baseline.hpp"
#include "perfcheck/run/calibration.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/run/gbench.hpp"
#include "perfcheck/run/hooks.hpp"
#include "perfcheck/run/launch_overhead.hpp"
#include "perfcheck/run/runner.hpp"
#include "perfcheck/run/sweep.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

int exit_code_for(verdict v) {
  switch (v) {
    case verdict::pass:
    case verdict::improved:
    case verdict::inconclusive: return exit_ok;
    case verdict::failed:
    case verdict::regressed: return exit_verdict_failed;
    case verdict::error: return exit_command_failed;
    case verdict::skipped: return exit_skipped;
  }
  return exit_internal;
}

// A result for a command that never started, so CI still finds a result file.
run_result not_started(const run_spec& spec, const std::string& reason) {
  run_result r;
  r.name = spec.name;
  r.command = spec.command;
  r.outcome = verdict::error;
  r.reasons = {reason};
  r.environment = run::collect_environment();
  r.started_at = r.finished_at = run::rfc3339(std::chrono::system_clock::now());
  run::summarize_runs(r);
  return r;
}

// The spec hash a test would have had, had another source counted its instructions.
using count_hash_fn = std::function<std::string(const std::string&)>;

// What the regression rules of one point compare with: its context says which history is
// comparable, PERFCHECK_CALIBRATION its noise floor.
std::optional<run::prepared_regression> regression_for(const test_plan& plan, const run_context& context,
                                                       const std::string& history_where, const count_hash_fn& count_hash) {
  std::unique_ptr<store::history_store> history;
  std::string unreachable;
  if (!history_where.empty() && !plan.regressions.empty() && plan.baseline == baseline_kind::history &&
      store::history_exists(history_where)) {
    try {
      history = store::open_history_read_only(history_where);
    } catch (const store::history_unreachable& e) {  // measured all the same; the verdict says so
      unreachable = e.what();
    }
  }
  auto regression = run::prepare_regression(plan, context, history.get(), history_baseline_runs, &count_hash);
  history.reset();
  // A history that does not exist yet was still given: it is the source, with nothing in it.
  if (regression && plan.baseline == baseline_kind::history && !history_where.empty()) {
    regression->plan.baseline.source = store::mask_password(history_where);
    if (!unreachable.empty()) {
      regression->plan.not_comparable = fmt::format("no baseline: {}; whether the result regressed is "
                                                    "unknown until the history is back",
                                                    unreachable);
    }
  }
  // A calibration of this machine (perfcheck calibrate --save FILE) sets the noise floor.
  if (const char* calibration = std::getenv("PERFCHECK_CALIBRATION"); regression && calibration && *calibration) {
    if (auto floor = run::load_noise_floor(calibration, context.machine)) regression->plan.options.noise_floor = *floor;
  }
  return regression;
}

// A level's executors: the command's and, with regression rules, the baseline command's, both
// with PREPARE before each of their runs when the test has one.
run::prepared_level prepared_for(const test_plan& point, const run_context& context, const std::string& history_where,
                                 const count_hash_fn& count_hash) {
  const auto choice = exec::count_choice_for(point.spec);
  const cli::executor_maker make = [&](exec::command_line line) {
    return exec::make_counted_executor(std::move(line), choice);
  };
  run::prepared_level level{ingest::is_google_benchmark_command(point.spec.command)
                                ? run::gbench_executor(served_spec(point.spec))
                                : served_executor(point.spec, make),
                            {}};
  level.regression = regression_for(point, context, history_where, count_hash);
  if (point.spec.prepare.empty()) return level;
  const std::shared_ptr<run::hook_runner> hooks = run::process_hooks(served_spec(point.spec));
  level.executor = run::with_prepare(std::move(level.executor), hooks);
  if (level.regression && level.regression->baseline_executor) {
    level.regression->baseline_executor = run::with_prepare(std::move(level.regression->baseline_executor), hooks);
    level.regression->plan.baseline_executor = level.regression->baseline_executor.get();
  }
  return level;
}

// Measures the plan: one point, or every level of a sweep, each with its own executor and
// regression plan, between SETUP and CLEANUP (once per test, or per level when they use a
// placeholder).
run_result measure_plan(const test_plan& plan, const run_context& origin, const std::string& history_where,
                        run::runner_options& options) {
  run_context context = origin;
  context.machine = run::machine_fingerprint(run::collect_environment());
  // A sweep's history and baseline file keep its points under the sweep's spec hash (the one its
  // result records), each level compared with the same level there.
  const std::string sweep_hash = plan.levels.empty() ? std::string() : spec_hash(plan.spec);
  const auto prepare = [&](const test_plan& point) {
    context.spec_hash = sweep_hash.empty() ? spec_hash(point.spec) : sweep_hash;
    const count_hash_fn count_hash = [&](const std::string& source) {
      run_spec other = sweep_hash.empty() ? point.spec : plan.spec;
      other.count_source = source;
      return spec_hash(other);
    };
    return prepared_for(point, context, history_where, count_hash);
  };
  // Hooks get the server's {port} and PERFCHECK_SERVER_PORT like the command.
  const run::hook_factory hooks = [](const run_spec& spec) { return run::process_hooks(served_spec(spec)); };
  if (!plan.levels.empty() && run::hooks_per_level(plan)) return run::run_sweep(plan, prepare, options, &hooks);
  const auto test_hooks = run::process_hooks(served_spec(run::test_hook_spec(plan)));
  return run::around(*test_hooks, [&] {
    if (!plan.levels.empty()) return run::run_sweep(plan, prepare, options);
    auto level = prepare(plan);
    if (level.regression) options.regression = &level.regression->plan;
    return run::run_test(plan, *level.executor, options);
  });
}

// What perfcheck does to count, said before the runs (docs/instructions.md).
std::string counting_note(const exec::count_choice& counting) {
  if (counting.source == exec::count_source::none) {
    return fmt::format("note: instructions not counted, gates on them are skipped: {}\n", counting.reason);
  }
  return fmt::format("note: instructions counted by {}; the counted runs get a clean environment (PATH and the "
                     "test's ENVIRONMENT only) and address randomization off\n", counting.reason);
}

// What a soak of a sweep will take, said before the runs: the duration is each level's.
std::string sweep_soak_note(const test_plan& plan) {
  if (plan.levels.empty() || plan.soak != soak_mode::duration) return "";
  const double each = static_cast<double>(plan.spec.duration_ns);
  return fmt::format("note: a soak of {} at each of {} levels, interleaved: about {} of measured {} in all, "
                     "plus warm-ups\n", format_duration(each), plan.levels.size(),
                     format_duration(each * static_cast<double>(plan.levels.size())),
                     plan.spec.concurrency.empty() ? "runs" : "rounds");
}

// The measured result of a compiled test and its exit code; a command that cannot start is an
// `error` result (exit 3).
std::pair<run_result, int> measure(const test_plan& plan, const run_flags& flags,
                                   const run_context& origin, const std::string& history_where) {
  const run_spec& spec = plan.spec;
  try {
    run::runner_options options;
    // Measured at most once a day per machine, unless it is subtracted from every wall time.
    options.overhead_ns = run::launch_overhead(run::machine_fingerprint(run::collect_environment()),
                                               spec.subtract_overhead);
    options.subtract_overhead = spec.subtract_overhead;
    progress_line progress(stderr, spec.name);
    if (!flags.quiet) options.progress = &progress;
    run_result result = measure_plan(plan, origin, history_where, options);
    progress.finish();
    int code = exit_code_for(result.outcome);
    if (result.outcome == verdict::inconclusive && plan.on_inconclusive == inconclusive_policy::fail) {
      code = exit_verdict_failed;
    }
    return {std::move(result), code};
  } catch (const command_error& e) {
    std::fprintf(stderr, "error: %s\n", escape_ctest_tags(terminal_safe_lines(e.what())).c_str());
    return {not_started(spec, e.what()), exit_command_failed};
  }
}

}  // namespace

// The result file, stdout JSON, and the console block with CTest measurements.
void report_result(const run_result& result, const run_spec& spec, const run_flags& flags) {
  const bool json_to_stdout = flags.json == "-";
  // With JSON on stdout, the human-readable block goes to stderr so stdout stays parseable.
  std::FILE* human = json_to_stdout ? stderr : stdout;
  const auto path = run::result_path_for(spec);
  if (!path.empty()) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    write_json_file_atomic(path, result_to_json(result));
  }
  if (json_to_stdout) {
    // '<' only occurs inside JSON strings, where \u003c means the same and no CTest tag can start.
    std::string json = pretty_json(result_to_json(result));
    for (std::size_t at = 0; (at = json.find('<', at)) != std::string::npos;) json.replace(at, 1, "\\u003c");
    std::fputs(json.c_str(), stdout);
  }
  if (flags.quiet) {
    std::fprintf(human, "%s: %s%s\n", escape_ctest_tags(terminal_safe(result.name)).c_str(), to_string(result.outcome),
                 escape_ctest_tags(possible_regression_note(result)).c_str());
  } else {
    // CTest scans this stream for measurement tags: only perfcheck's own may be read as one.
    std::fputs(escape_ctest_tags(format_result_block(result)).c_str(), human);
    std::fputs(format_ctest_measurements(result).c_str(), human);
    std::fputs(escape_ctest_tags(format_profile_lines(result)).c_str(), human);
    if (!path.empty()) std::fprintf(human, "  result: %s\n", escape_ctest_tags(path.string()).c_str());
  }
  std::fflush(human);
}

namespace {

int execute(const run_flags& flags, const CLI::App& sub) {
  // Compiled before anything starts, so a bad spec or expression is exit 2 with nothing run.
  const auto given = [&](const char* option) { return sub.get_option(option)->count() > 0; };
  const bool from_flags = flags.spec_file.empty();
  run_spec spec = build_spec(flags, sub);
  const auto counting = exec::count_choice_for(spec);  // with COUNT: the source, in the spec hash
  if (counting) spec.count_source = exec::to_string(counting->source);
  const test_plan plan = compile_plan(spec,
                                      {from_flags ? "command line" : flags.spec_file, from_flags,
                                       given("--threshold"), given("--regression")});
  // Where the result is recorded and which history a history baseline reads; and the session,
  // git and compiler fields of the context (environment, session.json): read once.
  const std::string history_where =
      store::history_location(flags.history.empty() ? plan.spec.history : flags.history);
  run_context origin;
  store::apply_context_environment(origin, plan.spec.output_dir);

  if (counting && !flags.quiet) std::fputs(counting_note(*counting).c_str(), stderr);
  if (!flags.quiet) std::fputs(sweep_soak_note(plan).c_str(), stderr);
  auto [result, code] = measure(plan, flags, origin, history_where);
  if (counting && counting->source == exec::count_source::none) result.warnings.push_back("instructions not counted: " + counting->reason);
  result.context.session_id = origin.session_id;
  result.context.git_commit = origin.git_commit;
  result.context.git_branch = origin.git_branch;
  result.context.compiler = origin.compiler;
  result.expected_failure = plan.spec.will_fail;
  std::FILE* human = flags.json == "-" ? stderr : stdout;
  profile_if_failed(plan, result, flags.quiet);
  finish_served(result, plan.spec, human);
  if (result.outcome == verdict::error && code < exit_command_failed) code = exit_command_failed;
  report_result(result, plan.spec, flags);
  return record_result(result, history_where, plan.spec, human).value_or(code);
}

}  // namespace

command_action add_run_command(CLI::App& app) {
  auto flags = std::make_shared<run_flags>();
  CLI::App* sub = app.add_subcommand("run", "Measure a command and gate it on thresholds");
  sub->description(
      "Usage: perfcheck run [OPTIONS] -- PROGRAM [ARGS...]\n"
      "       perfcheck run --spec FILE.json [OPTIONS]\n\n"
      "Runs PROGRAM (no shell: the arguments are passed as given) warm-up times unmeasured, then\n"
      "at least MIN times measured, and past MIN until --min-time of measured time or MAX runs.\n"
      "Measures wall time, user and system CPU time and peak memory (RSS) per run, summarizes\n"
      "them, and checks every --threshold. Exit codes: 0 pass, 1 a threshold failed, 2 usage or\n"
      "spec error, 3 the command failed (not found, crashed, non-zero exit), 4 perfcheck failed.\n"
      "A run stopped by a --limit fails the test (exit 1); the command and every process it starts\n"
      "are stopped by the end of each run. See docs/limits.md.");
  add_run_options(*sub, *flags);
  return [flags, sub] { return execute(*flags, *sub); };
}

}  // namespace perfcheck::cli
