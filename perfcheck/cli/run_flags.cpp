// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/run_flags.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/run/gbench.hpp"

namespace perfcheck::cli {
namespace {


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
void apply_isolation_flags(const run_flags& f, const std::function<bool(const char*)>& given, run_spec& spec) {
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

using given_fn = std::function<bool(const char*)>;

// --parameter NAME=V1,V2,... (each value a number, a word or a range) and --seed.
void apply_sweep_flags(const run_flags& f, const given_fn& given, run_spec& spec) {
  if (given("--parameter")) {
    spec.parameters.clear();
    for (const auto& text : f.parameters) {
      const auto eq = text.find('=');
      if (eq == std::string::npos) {
        throw usage_error(fmt::format("--parameter '{}': write NAME=VALUES, e.g. --parameter n=10,50,100 "
                                      "or --parameter n=10..1000*10", text));
      }
      parameter_spec parameter{text.substr(0, eq), {}};
      std::string values = text.substr(eq + 1);
      for (std::size_t start = 0; start <= values.size();) {
        const auto comma = std::min(values.find(',', start), values.size());
        parameter.values.push_back(values.substr(start, comma - start));
        start = comma + 1;
      }
      spec.parameters.push_back(std::move(parameter));
    }
  }
  if (given("--concurrency")) {
    spec.concurrency.clear();
    for (std::size_t start = 0; start <= f.concurrency.size();) {
      const auto comma = std::min(f.concurrency.find(',', start), f.concurrency.size());
      spec.concurrency.push_back(f.concurrency.substr(start, comma - start));
      start = comma + 1;
    }
  }
  if (given("--seed")) spec.seed = f.seed;
}

// The spec from --spec FILE, or from the command after '--'.
run_spec base_spec(const run_flags& f) {
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
  return spec;
}

// --name, --warmup, --runs, --min-time, --output-limit.
void apply_plan_flags(const run_flags& f, const given_fn& given, run_spec& spec) {
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
}

// --setup, --prepare, --cleanup: split on white space (no shell, no quoting), then their --*-arg.
void apply_hook_flags(const run_flags& f, const given_fn& given, run_spec& spec) {
  const auto fields = hook_commands(spec);
  for (std::size_t k = 0; k < fields.size(); ++k) {
    std::vector<std::string>& argv = *fields[k].second;
    const std::string flag = fmt::format("--{}", fields[k].first);
    if (given(flag.c_str())) {
      argv.clear();
      std::istringstream words(f.hooks[k]);
      for (std::string w; words >> w;) argv.push_back(w);
      if (argv.empty()) {
        throw usage_error(fmt::format("{}: the command is empty; give 'PROGRAM ARGS' (split on spaces, no "
                                      "shell), or drop {}", flag, flag));
      }
    }
    if (!f.hook_args[k].empty() && argv.empty()) {
      throw usage_error(fmt::format("{}-arg: there is no {} to add it to; give {} 'PROGRAM' first", flag, flag, flag));
    }
    argv.insert(argv.end(), f.hook_args[k].begin(), f.hook_args[k].end());
  }
}

// Thresholds, regression rules and their baseline, output and environment flags.
void apply_gate_flags(const run_flags& f, const given_fn& given, run_spec& spec) {
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
  apply_hook_flags(f, given, spec);
  if (given("--on-inconclusive")) {
    if (f.on_inconclusive != "pass" && f.on_inconclusive != "fail") {
      throw usage_error(fmt::format("--on-inconclusive {}: use pass or fail", f.on_inconclusive));
    }
    spec.fail_on_inconclusive = f.on_inconclusive == "fail";
  }
  if (given("--output-dir")) spec.output_dir = f.output_dir;
  if (given("--working-directory")) spec.working_directory = f.working_directory;
  if (given("--env")) spec.environment.insert(spec.environment.end(), f.environment.begin(), f.environment.end());
  spec.metrics.insert(spec.metrics.end(), f.metrics.begin(), f.metrics.end());
  spec.metadata.insert(spec.metadata.end(), f.metadata.begin(), f.metadata.end());
  if (given("--client")) spec.client = f.client;
  for (const auto& what : f.count) {
    if (what != "instructions") throw usage_error(fmt::format("--count {}: cannot be counted; use --count instructions", what));
    if (std::find(spec.count.begin(), spec.count.end(), what) == spec.count.end()) spec.count.push_back(what);
  }
  if (given("--profile")) spec.profile = f.profile;
  apply_isolation_flags(f, given, spec);
  if (given("--json") && f.json != "-") spec.result_file = f.json;
  if (f.show_output) spec.show_output = true;
  if (f.allow_failures) spec.allow_failures = true;
  if (f.subtract_overhead) spec.subtract_overhead = true;
}

// --gbench NAME: the command is a Google Benchmark binary running the one benchmark NAME
// (docs/gbench.md); a repetition per run.
void apply_gbench_flag(const run_flags& f, const given_fn& given, run_spec& spec) {
  if (!given("--gbench")) return;
  if (f.gbench.empty()) {
    throw usage_error("--gbench: give the benchmark's name as --benchmark_list_tests prints it, e.g. "
                      "--gbench BM_parse/1024 (or BM_parse/{n} with --parameter n=...)");
  }
  spec.command.push_back("--benchmark_filter=" + run::gbench_filter(f.gbench));
  spec.command.emplace_back("--benchmark_repetitions=1");
  if (!ingest::is_google_benchmark_command(spec.command)) spec.command.emplace_back(ingest::google_benchmark_json_flag);
}

}  // namespace

run_spec build_spec(const run_flags& f, const CLI::App& sub) {
  const given_fn given = [&](const char* option) { return sub.get_option(option)->count() > 0; };
  // Flags override the spec file, so a generated spec can be tweaked from the command line.
  run_spec spec = base_spec(f);
  apply_plan_flags(f, given, spec);
  apply_gate_flags(f, given, spec);
  apply_sweep_flags(f, given, spec);
  apply_gbench_flag(f, given, spec);
  return spec;
}

namespace {

// What to run and how often, what to keep, and the command's surroundings.
void add_measure_options(CLI::App& sub, run_flags& f) {
  sub.add_option("--spec", f.spec_file, "Read the test from a spec file (perfcheck/spec/v1, written by add_perf_test); other options override its fields")
      ->type_name("FILE");
  sub.add_option("--name", f.name, "Test name in the console, result and reports [default: the program's file name]")
      ->type_name("NAME");
  sub.add_option("--warmup", f.warmup, "Unmeasured runs first, to fill caches [default: 1]")
      ->type_name("N");
  sub.add_option("--runs", f.runs, "Measured runs: MIN, or MIN:MAX to allow extending up to MAX (with --min-time, or while a regression verdict is inconclusive) [default: 10, and 10:40 with --regression]")
      ->type_name("MIN[:MAX]");
  sub.add_option("--min-time", f.min_time, "Keep running past MIN runs until this much measured time, e.g. 2s [default: 0s]")
      ->type_name("DURATION");
  sub.add_option("--threshold", f.thresholds, "Gate, repeatable: '<metric>.<stat> <op> <value><unit>', e.g. 'wall.p95 < 120ms', 'rss.max <= 64MiB', 'exit.failures == 0'; in a sweep also 'cpu.median ~ O(n)' and 'breaking_point(wall.p99 < 200ms) >= 20'")
      ->type_name("EXPR")->take_all()->allow_extra_args(false);
  sub.add_option("--json", f.json, "Write the result (perfcheck/result/v1) to FILE; '-' writes it to stdout and the summary to stderr")
      ->type_name("FILE");
  sub.add_option("--output-dir", f.output_dir, "Keep the command's stdout/stderr (last run and first failed run) and the result file here [default: discard output]")
      ->type_name("DIR");
  sub.add_option("--output-limit", f.output_limit, "Keep at most this much output per stream and run, e.g. 4MiB [default: 1MiB]")
      ->type_name("SIZE");
  sub.add_option("--working-directory", f.working_directory, "Run the command in DIR [default: the current directory]")
      ->type_name("DIR");
  sub.add_option("--env", f.environment, "Set VAR=value in the command's environment, repeatable")
      ->type_name("VAR=VALUE")->take_all()->allow_extra_args(false);
  sub.add_option("--metric", f.metrics, "Declare a metric the command reports through $PERFCHECK_METRICS, repeatable, so that thresholds and rules may name it (docs/metrics.md), e.g. --metric startup:ms --threshold 'startup.median < 500ms'; the unit is optional")
      ->type_name("NAME[:UNIT]")->take_all()->allow_extra_args(false);
  sub.add_option("--meta", f.metadata, "Record KEY=VALUE with the result, repeatable (shown in reports), e.g. --meta endpoint=/api/v1")
      ->type_name("KEY=VALUE")->take_all()->allow_extra_args(false);
  sub.add_option("--client", f.client, "The command is this load client and perfcheck reads its output: wrk (its summary becomes latency.p50 ... latency.p99 with wrk's --latency, latency.max, throughput, requests, errors.count, errors.rate, transfer; docs/servers.md)")
      ->type_name("wrk");
  sub.add_flag("--show-output", f.show_output, "Let the command's stdout/stderr through instead of capturing it");
  sub.add_flag("--allow-failures", f.allow_failures, "Measure runs that exit non-zero instead of stopping with exit code 3 (gate them with 'exit.failures')");
  sub.add_flag("--subtract-overhead", f.subtract_overhead, "Subtract the measured launch overhead from every wall time (the result says so)");
}

// Limits and isolation, regression rules and their baseline, the history.
void add_gate_options(CLI::App& sub, run_flags& f) {
  sub.add_option("--limit", f.limits, "Limit every run, repeatable: MEMORY=SIZE (summed RSS of the process tree), CPU_TIME=DURATION (CPU of the tree), TIMEOUT=DURATION (wall time per run), PROCESSES=N (live processes of the tree), OPEN_FILES=N (per process), FILE_SIZE=SIZE (per file written), OUTPUT=SIZE (stdout + stderr per run). A run over a limit is stopped (SIGTERM, SIGKILL 0.5 s later) and fails the test, e.g. --limit MEMORY=256MiB --limit TIMEOUT=60s [default: none]")
      ->type_name("KIND=VALUE")->take_all()->allow_extra_args(false);
  sub.add_option("--duration", f.duration, "Soak: repeat runs until DURATION of run time (e.g. 10min), or 'once' for a single long run sampled throughout; adds memory growth and run time drift (gate with 'rss.growth < 10%', 'rss.slope < 1MiB/min', 'wall.drift < 5%'). In a sweep, DURATION is each level's (rounds at a concurrency level): the test measures levels x DURATION in all [default: the --runs plan]")
      ->type_name("DURATION|once");
  sub.add_option("--sample-interval", f.sample_interval, "How often the process tree is sampled for peak tree memory (rss_tree), the memory timeline and the sampled limits; 0 turns sampling off [default: 10ms]")
      ->type_name("DURATION");
  sub.add_option("--cpus", f.cpus, "Pin the command to these CPUs, e.g. 2 or 0,2-3, for steadier figures [default: no pinning]")
      ->type_name("LIST");
  sub.add_option("--nice", f.nice, "Run the command at this nice value, -20 (favoured; needs privilege) to 19 [default: inherited]")
      ->type_name("N");
  sub.add_option("--count", f.count, "Count what every run executes: instructions, by hardware counters or else valgrind (PERFCHECK_COUNT_SOURCE=auto|perf|valgrind|none), e.g. --count instructions --threshold 'instructions < 5M' (docs/instructions.md)")
      ->type_name("WHAT");
  sub.add_option("--profile", f.profile, "After a failed or regressed verdict, run the command once more (and a --baseline-command) under a profiler: perf (sampling, cpu-clock), callgrind, or auto (perf where it may run, else callgrind); folded stacks, flame graphs and the functions whose share grew most go beside the result (docs/profiles.md)")
      ->check(CLI::IsMember({"auto", "perf", "callgrind"}))->type_name("TOOL");
  sub.add_flag("--clean-env", f.clean_env, "Start the command with only PATH and the --env variables, so the caller's environment cannot change the figures");
  sub.add_flag("--no-aslr", f.no_aslr, "Turn address space layout randomization off for the command (personality ADDR_NO_RANDOMIZE), for steadier cache behaviour");
  sub.add_option("--regression", f.regressions, "Regression rule against the baseline, repeatable: '<metric>.<statistic> <limit>%' with statistic median, mean, p90, p95 or p99; '+5%' tolerates a slowdown up to 5%, '-40%' requires the candidate to be at least 40% faster, e.g. 'wall.median +5%', 'wall.p95 +10%', 'wall.median -40%'. Fails (exit 1) only when the change is significant (p < --alpha) and its whole interval lies beyond the limit")
      ->type_name("RULE")->take_all()->allow_extra_args(false);
  sub.add_option("--alpha", f.alpha, "Significance level of the regression rules [default: 0.01]")
      ->type_name("P");
  sub.add_option("--baseline", f.baseline, "What the rules compare with: history (recent comparable results in --history), file (--baseline-file, a reviewed perfcheck/baseline/v1 file) or command (--baseline-command, run interleaved in random ABAB order: the strongest comparison on a shared machine) [default: history]")
      ->type_name("KIND");
  sub.add_option("--baseline-file", f.baseline_file, "Baseline file for --baseline file (write one with 'perfcheck baseline accept')")
      ->type_name("FILE");
  sub.add_option("--baseline-command", f.baseline_command, "Baseline program and arguments for --baseline command, split on spaces (no shell); e.g. the same tool built from the target branch")
      ->type_name("'PROGRAM ARGS'");
  sub.add_option("--baseline-arg", f.baseline_args, "One more baseline argument, taken as is (for arguments with spaces), repeatable")
      ->type_name("ARG")->take_all()->allow_extra_args(false);
  sub.add_option("--on-inconclusive", f.on_inconclusive, "When the rules cannot decide even at the RUNS maximum: pass (exit 0 with a warning) or fail (exit 1) [default: pass]")
      ->type_name("pass|fail");
  sub.add_option("--history", f.history, "Also record the result in this history: an SQLite file (created when missing) or postgresql://... (see docs/history-fleet.md) [default: $PERFCHECK_HISTORY, else none]")
      ->type_name("FILE");
  sub.add_option("--concurrency", f.concurrency, "Concurrency levels N1,N2,... (each 1..1000): at each, N copies of the command start together, and each round of N copies counts as one run of RUNS; {instance} in an argument or an --env value and PERFCHECK_INSTANCE give each copy its number 0..N-1. Adds throughput, errors.rate, errors.count, efficiency and rss.total. A level `concurrency`, combined with --parameter. See docs/sweeps.md#concurrency")->type_name("N,...");
  sub.add_option("--gbench", f.gbench, "The command is a Google Benchmark binary: run the one benchmark BENCHMARK (as --benchmark_list_tests prints it; {NAME} for a level's value), a repetition per run, its real_time, cpu_time, iterations and counters as metrics (declare counters with --metric). See docs/gbench.md")
      ->type_name("BENCHMARK");
  sub.add_option("--parameter", f.parameters, "Sweep a parameter, repeatable (the levels are every combination): NAME=VALUES with values split on ',', each a value or a range A..B*F (geometric, e.g. n=10..1000*10) or A..B+S (linear, e.g. n=0..100+25); {NAME} in an argument, --working-directory or an --env value is replaced by the level's value, and PERFCHECK_PARAM_NAME carries it. At most 1000 levels. See docs/sweeps.md")
      ->type_name("NAME=VALUES")->take_all()->allow_extra_args(false);
  sub.add_option("--seed", f.seed, "Seed of a sweep's level order (each round shuffles it), to repeat a run's order [default: random, recorded as point_seed]")
      ->type_name("N");
  const char* hook_help[] = {
      "Program and arguments run once before the first run (per level when they use a {placeholder}), "
      "split on spaces (no shell); unmeasured; a failure is an error (exit 3). See docs/setup.md",
      "Program and arguments run before every run (warm-ups and baseline runs too), unmeasured, e.g. to "
      "empty a cache; split on spaces (no shell); a failure is an error (exit 3)",
      "Program and arguments run once after the last run, also when a run failed or a limit stopped "
      "the test (whenever --setup succeeded); split on spaces (no shell)"};
  const auto hook_fields = hook_commands(run_spec{});
  for (std::size_t k = 0; k < hook_fields.size(); ++k) {
    const std::string name = hook_fields[k].first;
    sub.add_option("--" + name, f.hooks[k], hook_help[k])->type_name("'PROGRAM ARGS'");
    sub.add_option("--" + name + "-arg", f.hook_args[k],
                   fmt::format("One more --{} argument, taken as is (for arguments with spaces), repeatable", name))
        ->type_name("ARG")->take_all()->allow_extra_args(false);
  }
  sub.add_flag("-q,--quiet", f.quiet, "Print only the verdict line (and errors)");
  sub.add_option("command", f.command, "The program and its arguments, after '--'")
      ->type_name("PROGRAM ARGS...");
}

}  // namespace

void add_run_options(CLI::App& sub, run_flags& f) {
  add_measure_options(sub, f);
  add_gate_options(sub, f);
}

}  // namespace perfcheck::cli
