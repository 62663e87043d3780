// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck run`: options → spec → measure → verdict → result file, console, exit code.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/console.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/baseline.hpp"
#include "perfcheck/run/calibration.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/run/runner.hpp"
#include "perfcheck/store/recording.hpp"

namespace perfcheck::cli {
namespace {

struct run_flags {
  std::string spec_file;
  std::string name;
  int warmup = 1;
  std::string runs = "10";
  std::string min_time;
  std::vector<std::string> thresholds;
  std::string json;
  std::string output_dir;
  std::string output_limit;
  std::string working_directory;
  std::vector<std::string> environment;
  bool show_output = false;
  bool quiet = false;
  bool allow_failures = false;
  bool subtract_overhead = false;
  std::vector<std::string> limits;  // --limit KIND=VALUE, repeatable
  std::string duration;             // --duration DURATION|once
  std::string sample_interval;
  std::string cpus;
  int nice = 0;
  bool clean_env = false;
  bool no_aslr = false;
  std::string history;  // --history, else PERFCHECK_HISTORY
  std::vector<std::string> regressions;
  double alpha = 0.01;
  std::string baseline;
  std::string baseline_file;
  std::string baseline_command;
  std::vector<std::string> baseline_args;
  std::string on_inconclusive;
  std::vector<std::string> command;
};

int parse_count(const std::string& text, const std::string& flag) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) {
    throw usage_error(fmt::format("{} {}: '{}' is not a whole number; write e.g. {} 10", flag,
                                  text, text, flag));
  }
  return value;
}

// "--runs 10" or "--runs 10:30".
void parse_runs(const std::string& text, run_spec& spec) {
  const auto colon = text.find(':');
  spec.min_runs = parse_count(text.substr(0, colon), "--runs");
  spec.max_runs = colon == std::string::npos ? spec.min_runs
                                             : parse_count(text.substr(colon + 1), "--runs");
  if (spec.min_runs < 1) {
    throw usage_error(fmt::format("--runs {}: at least one measured run is needed; write e.g. "
                                  "--runs 10 or --runs 10:30", text));
  }
  if (spec.max_runs < spec.min_runs) {
    throw usage_error(fmt::format("--runs {}: the maximum ({}) is below the minimum ({}); write "
                                  "MIN:MAX with MIN <= MAX", text, spec.max_runs, spec.min_runs));
  }
}

// --limit, --duration, --sample-interval, --cpus, --nice, --clean-env, --no-aslr (docs/limits.md).
template <class Given>
void apply_isolation_flags(const run_flags& f, const Given& given, run_spec& spec) {
  for (const auto& assignment : f.limits) {
    try {
      const auto [kind, value] = parse_limit_assignment(assignment);
      spec.limits.set(kind, value);
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("--limit: {}", e.what()));
    }
  }
  if (given("--duration")) {
    spec.once = f.duration == "once";
    spec.duration_ns = 0;
    if (!spec.once) {
      try {
        spec.duration_ns = static_cast<std::int64_t>(parse_duration_ns(f.duration));
      } catch (const usage_error& e) {
        throw usage_error(fmt::format("--duration: {} (or write 'once' for one long run)", e.what()));
      }
      if (spec.duration_ns <= 0) throw usage_error("--duration 0: give a time to soak for, e.g. 10min, or 'once'");
    }
  }
  if (given("--sample-interval")) {
    try {
      spec.sample_interval_ns = f.sample_interval == "0" ? 0 : static_cast<std::int64_t>(parse_duration_ns(f.sample_interval));
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("--sample-interval: {}", e.what()));
    }
    if (spec.sample_interval_ns != 0 && (spec.sample_interval_ns < 1'000'000 || spec.sample_interval_ns > 10'000'000'000)) {
      throw usage_error(fmt::format("--sample-interval {}: use 0 (off) or 1ms to 10s", f.sample_interval));
    }
  }
  if (given("--cpus")) spec.cpus = parse_cpu_list(f.cpus, "--cpus");
  if (given("--nice")) {
    if (f.nice < -20 || f.nice > 19) {
      throw usage_error(fmt::format("--nice {}: out of range; use -20 (favoured) to 19 (least favoured)", f.nice));
    }
    spec.nice = f.nice;
  }
  if (f.clean_env) spec.clean_environment = true;
  if (f.no_aslr) spec.no_aslr = true;
}

run_spec build_spec(const run_flags& f, const CLI::App& sub) {
  const auto given = [&](const char* option) { return sub.get_option(option)->count() > 0; };
  run_spec spec;
  if (!f.spec_file.empty()) {
    if (!f.command.empty()) {
      throw usage_error("give either --spec FILE or a command after '--', not both");
    }
    spec = read_spec_file(f.spec_file);
  } else {
    if (f.command.empty()) {
      throw usage_error("no command to measure; write 'perfcheck run [options] -- PROGRAM ARGS...' "
                        "or 'perfcheck run --spec FILE.json'");
    }
    spec.command = f.command;
    spec.name = std::filesystem::path(f.command.front()).filename().string();
  }
  // Flags override the spec file, so a generated spec can be tweaked from the command line.
  if (given("--name")) spec.name = f.name;
  if (given("--warmup")) {
    if (f.warmup < 0) throw usage_error(fmt::format("--warmup {}: use 0 or more", f.warmup));
    spec.warmup = f.warmup;
  }
  if (given("--runs")) parse_runs(f.runs, spec);
  if (given("--min-time")) {
    try {
      spec.min_time_ns = static_cast<std::int64_t>(parse_duration_ns(f.min_time));
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("--min-time: {}", e.what()));
    }
  }
  if (given("--output-limit")) {
    try {
      spec.output_limit_bytes = static_cast<std::int64_t>(parse_size_bytes(f.output_limit));
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("--output-limit: {}", e.what()));
    }
  }
  if (given("--threshold")) spec.thresholds = f.thresholds;
  if (given("--regression")) spec.regressions = f.regressions;
  // The 10:40 default of rules: for a command line, and for rules added to a spec by flag (a
  // spec file's own rules got it when it was read, unless it gave its runs).
  if (!given("--runs") && (f.spec_file.empty() || given("--regression"))) extend_runs_for_regressions(spec);
  if (given("--alpha")) spec.alpha = f.alpha;
  if (given("--baseline")) spec.baseline = f.baseline;
  if (given("--baseline-file")) spec.baseline_file = f.baseline_file;
  if (given("--baseline-command")) {
    spec.baseline_command.clear();
    // Split on white space only: no shell, no quoting; --baseline-arg adds one argument as is.
    std::istringstream words(f.baseline_command);
    for (std::string w; words >> w;) spec.baseline_command.push_back(w);
  }
  spec.baseline_command.insert(spec.baseline_command.end(), f.baseline_args.begin(), f.baseline_args.end());
  if (given("--on-inconclusive")) {
    if (f.on_inconclusive != "pass" && f.on_inconclusive != "fail") {
      throw usage_error(fmt::format("--on-inconclusive {}: use pass or fail", f.on_inconclusive));
    }
    spec.fail_on_inconclusive = f.on_inconclusive == "fail";
  }
  if (given("--output-dir")) spec.output_dir = f.output_dir;
  if (given("--working-directory")) spec.working_directory = f.working_directory;
  if (given("--env")) spec.environment.insert(spec.environment.end(), f.environment.begin(), f.environment.end());
  apply_isolation_flags(f, given, spec);
  if (given("--json") && f.json != "-") spec.result_file = f.json;
  if (f.show_output) spec.show_output = true;
  if (f.allow_failures) spec.allow_failures = true;
  return spec;
}

int exit_code_for(verdict v) {
  switch (v) {
    case verdict::pass:
    case verdict::improved:
    case verdict::inconclusive: return exit_ok;
    case verdict::failed:
    case verdict::regressed: return exit_verdict_failed;
    case verdict::error: return exit_command_failed;
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

// The measured result of a compiled test and its exit code; a command that cannot start is an
// `error` result (exit 3).
std::pair<run_result, int> measure(const test_plan& plan, const run_flags& flags,
                                   const run_context& origin, const std::string& history_where) {
  const run_spec& spec = plan.spec;
  try {
    auto executor = std::make_unique<exec::process_executor>(exec::command_line_for(spec));
    // What the regression rules compare with; the context says which history is comparable.
    run_context context = origin;
    context.machine = run::machine_fingerprint(run::collect_environment());
    context.spec_hash = spec_hash(spec);
    std::unique_ptr<store::history_store> history;
    if (!history_where.empty() && !plan.regressions.empty() && plan.baseline == baseline_kind::history &&
        std::filesystem::exists(history_where)) {
      history = store::open_history(history_where, false);
    }
    auto regression = run::prepare_regression(plan, context, history.get());
    history.reset();
    // A calibration of this machine (perfcheck calibrate --save FILE) sets the noise floor.
    if (const char* calibration = std::getenv("PERFCHECK_CALIBRATION"); regression && calibration && *calibration) {
      if (auto floor = run::load_noise_floor(calibration, context.machine)) regression->plan.options.noise_floor = *floor;
    }
    run::runner_options options;
    if (regression) options.regression = &regression->plan;
    options.overhead_ns = exec::measure_launch_overhead();
    options.subtract_overhead = flags.subtract_overhead;
    progress_line progress(stderr, spec.name);
    if (!flags.quiet) options.progress = &progress;
    run_result result = run::run_test(plan, *executor, options);
    progress.finish();
    int code = exit_code_for(result.outcome);
    if (result.outcome == verdict::inconclusive && plan.on_inconclusive == inconclusive_policy::fail) {
      code = exit_verdict_failed;
    }
    return {std::move(result), code};
  } catch (const command_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return {not_started(spec, e.what()), exit_command_failed};
  }
}

// The result file, stdout JSON, and the console block with CTest measurements.
void report(const run_result& result, const run_spec& spec, const run_flags& flags) {
  const bool json_to_stdout = flags.json == "-";
  // With JSON on stdout, the human-readable block goes to stderr so stdout stays parseable.
  std::FILE* human = json_to_stdout ? stderr : stdout;
  const auto path = run::result_path_for(spec);
  if (!path.empty()) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    write_json_file_atomic(path, result_to_json(result));
  }
  if (json_to_stdout) std::fputs(pretty_json(result_to_json(result)).c_str(), stdout);
  if (flags.quiet) {
    std::fprintf(human, "%s: %s\n", result.name.c_str(), to_string(result.outcome));
  } else {
    std::fputs(format_result_block(result).c_str(), human);
    std::fputs(format_ctest_measurements(result).c_str(), human);
    if (!path.empty()) std::fprintf(human, "  result: %s\n", path.c_str());
  }
  std::fflush(human);
}

// After the result file: a history that cannot take the result loses nothing. Returns the exit
// code of a failure, or nullopt.
std::optional<int> record(const run_result& result, const std::string& history, const run_spec& spec) {
  if (history.empty()) return std::nullopt;
  try {
    store::open_history(history, true)->record(result);
  } catch (const store::history_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    if (const auto path = run::result_path_for(spec); !path.empty()) {
      std::fprintf(stderr, "the result is kept in %s; once the history is usable, add it with "
                   "'perfcheck history import --history %s %s'\n", path.c_str(), history.c_str(), path.c_str());
    }
    return e.refused() ? exit_usage : exit_internal;
  }
  return std::nullopt;
}

int execute(const run_flags& flags, const CLI::App& sub) {
  // Compiled before anything starts, so a bad spec or expression is exit 2 with nothing run.
  const test_plan plan =
      compile_plan(build_spec(flags, sub), {flags.spec_file.empty() ? "command line" : flags.spec_file,
                                             flags.spec_file.empty()});
  // Where the result is recorded and which history a history baseline reads; and the session,
  // git and compiler fields of the context (environment, session.json): read once.
  const std::string history_where =
      store::history_location(flags.history.empty() ? plan.spec.history : flags.history);
  run_context origin;
  store::apply_context_environment(origin, plan.spec.output_dir);

  auto [result, code] = measure(plan, flags, origin, history_where);
  result.context.session_id = origin.session_id;
  result.context.git_commit = origin.git_commit;
  result.context.git_branch = origin.git_branch;
  result.context.compiler = origin.compiler;
  report(result, plan.spec, flags);
  return record(result, history_where, plan.spec).value_or(code);
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
  sub->add_option("--spec", flags->spec_file, "Read the test from a spec file (perfcheck/spec/v1, written by add_perf_test); other options override its fields")
      ->type_name("FILE");
  sub->add_option("--name", flags->name, "Test name in the console, result and reports [default: the program's file name]")
      ->type_name("NAME");
  sub->add_option("--warmup", flags->warmup, "Unmeasured runs first, to fill caches [default: 1]")
      ->type_name("N");
  sub->add_option("--runs", flags->runs, "Measured runs: MIN, or MIN:MAX to allow extending up to MAX (with --min-time, or while a regression verdict is inconclusive) [default: 10, and 10:40 with --regression]")
      ->type_name("MIN[:MAX]");
  sub->add_option("--min-time", flags->min_time, "Keep running past MIN runs until this much measured time, e.g. 2s [default: 0s]")
      ->type_name("DURATION");
  sub->add_option("--threshold", flags->thresholds, "Gate, repeatable: '<metric>.<stat> <op> <value><unit>', e.g. 'wall.p95 < 120ms', 'rss.max <= 64MiB', 'exit.failures == 0'")
      ->type_name("EXPR")->take_all()->allow_extra_args(false);
  sub->add_option("--json", flags->json, "Write the result (perfcheck/result/v1) to FILE; '-' writes it to stdout and the summary to stderr")
      ->type_name("FILE");
  sub->add_option("--output-dir", flags->output_dir, "Keep the command's stdout/stderr (last run and first failed run) and the result file here [default: discard output]")
      ->type_name("DIR");
  sub->add_option("--output-limit", flags->output_limit, "Keep at most this much output per stream and run, e.g. 4MiB [default: 1MiB]")
      ->type_name("SIZE");
  sub->add_option("--working-directory", flags->working_directory, "Run the command in DIR [default: the current directory]")
      ->type_name("DIR");
  sub->add_option("--env", flags->environment, "Set VAR=value in the command's environment, repeatable")
      ->type_name("VAR=VALUE")->take_all()->allow_extra_args(false);
  sub->add_flag("--show-output", flags->show_output, "Let the command's stdout/stderr through instead of capturing it");
  sub->add_flag("--allow-failures", flags->allow_failures, "Measure runs that exit non-zero instead of stopping with exit code 3 (gate them with 'exit.failures')");
  sub->add_flag("--subtract-overhead", flags->subtract_overhead, "Subtract the measured launch overhead from every wall time (the result says so)");
  sub->add_option("--limit", flags->limits, "Limit every run, repeatable: MEMORY=SIZE (summed RSS of the process tree), CPU_TIME=DURATION (CPU of the tree), TIMEOUT=DURATION (wall time per run), PROCESSES=N (live processes of the tree), OPEN_FILES=N (per process), FILE_SIZE=SIZE (per file written), OUTPUT=SIZE (stdout + stderr per run). A run over a limit is stopped (SIGTERM, SIGKILL 0.5 s later) and fails the test, e.g. --limit MEMORY=256MiB --limit TIMEOUT=60s [default: none]")
      ->type_name("KIND=VALUE")->take_all()->allow_extra_args(false);
  sub->add_option("--duration", flags->duration, "Soak: repeat runs until DURATION of run time (e.g. 10min), or 'once' for a single long run sampled throughout; adds memory growth and run time drift (gate with 'rss.growth < 10%', 'rss.slope < 1MiB/min', 'wall.drift < 5%') [default: the --runs plan]")
      ->type_name("DURATION|once");
  sub->add_option("--sample-interval", flags->sample_interval, "How often the process tree is sampled for peak tree memory (rss_tree), the memory timeline and the sampled limits; 0 turns sampling off [default: 10ms]")
      ->type_name("DURATION");
  sub->add_option("--cpus", flags->cpus, "Pin the command to these CPUs, e.g. 2 or 0,2-3, for steadier figures [default: no pinning]")
      ->type_name("LIST");
  sub->add_option("--nice", flags->nice, "Run the command at this nice value, -20 (favoured; needs privilege) to 19 [default: inherited]")
      ->type_name("N");
  sub->add_flag("--clean-env", flags->clean_env, "Start the command with only PATH and the --env variables, so the caller's environment cannot change the figures");
  sub->add_flag("--no-aslr", flags->no_aslr, "Turn address space layout randomization off for the command (personality ADDR_NO_RANDOMIZE), for steadier cache behaviour");
  sub->add_option("--regression", flags->regressions, "Regression rule against the baseline, repeatable: '<metric>.median +<tolerance>%', e.g. 'wall.median +5%'. Fails (exit 1) only when the slowdown is significant (Mann-Whitney, p < --alpha) and its whole interval lies beyond the tolerance")
      ->type_name("RULE")->take_all()->allow_extra_args(false);
  sub->add_option("--alpha", flags->alpha, "Significance level of the regression rules [default: 0.01]")
      ->type_name("P");
  sub->add_option("--baseline", flags->baseline, "What the rules compare with: history (recent comparable results in --history), file (--baseline-file, a reviewed perfcheck/baseline/v1 file) or command (--baseline-command, run interleaved in random ABAB order: the strongest comparison on a shared machine) [default: history]")
      ->type_name("KIND");
  sub->add_option("--baseline-file", flags->baseline_file, "Baseline file for --baseline file (write one with 'perfcheck baseline accept')")
      ->type_name("FILE");
  sub->add_option("--baseline-command", flags->baseline_command, "Baseline program and arguments for --baseline command, split on spaces (no shell); e.g. the same tool built from the target branch")
      ->type_name("'PROGRAM ARGS'");
  sub->add_option("--baseline-arg", flags->baseline_args, "One more baseline argument, taken as is (for arguments with spaces), repeatable")
      ->type_name("ARG")->take_all()->allow_extra_args(false);
  sub->add_option("--on-inconclusive", flags->on_inconclusive, "When the rules cannot decide even at the RUNS maximum: pass (exit 0 with a warning) or fail (exit 1) [default: pass]")
      ->type_name("pass|fail");
  sub->add_option("--history", flags->history, "Also record the result in this history file (SQLite, created when missing; see 'perfcheck history') [default: $PERFCHECK_HISTORY, else none]")
      ->type_name("FILE");
  sub->add_flag("-q,--quiet", flags->quiet, "Print only the verdict line (and errors)");
  sub->add_option("command", flags->command, "The program and its arguments, after '--'")
      ->type_name("PROGRAM ARGS...");
  return [flags, sub] { return execute(*flags, *sub); };
}

}  // namespace perfcheck::cli
