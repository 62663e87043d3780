// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck calibrate -- CMD ARGS...`: A/A comparisons of a command on this machine, so that
// tolerances and run counts are chosen from measured noise rather than guessed.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/console.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/calibration.hpp"
#include "perfcheck/run/environment.hpp"

namespace perfcheck::cli {
namespace {

struct calibrate_flags {
  run::calibration_options options;
  std::string tolerance = "5%";
  std::string target = "5%";
  std::string save = "perf-calibration.json";
  bool no_save = false;
  bool quiet = false;
  std::string working_directory;
  std::vector<std::string> command;
};

// "5%" → 0.05.
double parse_percent(const std::string& text, const char* flag) {
  double value = 0;
  const bool has_sign = text.size() > 1 && text.back() == '%';
  const char* end = text.data() + text.size() - (has_sign ? 1 : 0);
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (!has_sign || ec != std::errc{} || ptr != end || !std::isfinite(value) || value < 0) {
    throw usage_error(fmt::format("{} {}: expected a percentage such as 5% or 2.5%", flag, text));
  }
  return value / 100;
}

std::string pct(double fraction) { return fmt::format("{:.1f}%", fraction * 100); }

// The figures of a calibration and what they recommend.
void print_calibration(const run::calibration_result& r, const run::calibration_options& o,
                       const environment_info& env, const std::string& machine) {
  const std::string rule = fmt::format("wall.median +{:g}%", o.tolerance * 100);
  std::printf("machine:               %s (%s, %d CPUs)\n", machine.c_str(), env.hostname.c_str(), env.cpu_count);
  std::printf("robust CV:             %s of all runs; block medians drift by %s (robust CV)\n",
              pct(r.robust_cv).c_str(), pct(r.block_cv).c_str());
  std::printf("false alarms:          %zu of %d A/A comparisons = %s (95%% interval %s to %s) with '%s', alpha %g\n",
              r.false_alarms, o.trials, pct(r.false_alarm_rate).c_str(), pct(r.false_alarm_interval.low).c_str(),
              pct(r.false_alarm_interval.high).c_str(), rule.c_str(), o.alpha);
  std::printf("inconclusive:          %zu of %d\n", r.inconclusive, o.trials);
  std::printf("interval half-width:   %s at %d runs per side (80th percentile of the comparisons)\n",
              pct(r.half_width).c_str(), o.runs);
  std::printf("min detectable effect: %s at %d runs per side with tolerance %s\n",
              pct(r.min_detectable_effect).c_str(), o.runs, pct(o.tolerance).c_str());
  std::printf("noise floor:           %s (no A/A comparison was flagged with a tolerance at or above it)\n",
              pct(r.noise_floor).c_str());
  const std::string label = fmt::format("recommended for {}:", pct(o.target));
  if (r.recommended_runs) {
    std::printf("%-23sRUNS %zu and REGRESSION \"wall.median +%g%%\"\n", label.c_str(),
                *r.recommended_runs, r.recommended_tolerance * 100);
  } else {
    std::printf("%-23snone: %s; quiet the machine (close programs, pin the CPU) or "
                "target a larger effect (--target)\n", label.c_str(),
                r.recommended_tolerance >= o.target
                    ? fmt::format("the noise floor {} is not below the target", pct(r.noise_floor)).c_str()
                    : "even 1000 runs per side would not narrow the interval enough");
  }
  if (r.false_alarm_interval.low > o.alpha) {
    std::printf("warning: false alarms are more frequent than alpha (%g): results of separate runs drift "
                "on this machine; raise the tolerance to at least the noise floor or compare against an "
                "interleaved baseline command\n", o.alpha);
  }
}

int execute(calibrate_flags f) {
  if (f.command.empty()) {
    throw usage_error("no command to calibrate; write 'perfcheck calibrate [options] -- PROGRAM ARGS...'");
  }
  f.options.tolerance = parse_percent(f.tolerance, "--tolerance");
  f.options.target = parse_percent(f.target, "--target");
  run::validate(f.options);
  if (!f.no_save && f.save.empty()) throw usage_error("--save: give a file name, or --no-save");

  // The command as a test plan, checked like any test's before anything starts.
  run_spec spec;
  spec.name = std::filesystem::path(f.command.front()).filename().string();
  spec.command = f.command;
  spec.working_directory = f.working_directory;
  const test_plan plan = compile_plan(spec, {"command line", true});

  const auto& o = f.options;
  const int total = 2 * o.trials * o.runs;
  const std::string& name = plan.spec.name;
  std::printf("calibrate %s: %d A/A comparisons of 2 blocks x %d runs = %d measured runs (+%d warm-up)\n",
              name.c_str(), o.trials, o.runs, total, o.warmup);
  std::fflush(stdout);

  const environment_info env = run::collect_environment();
  exec::process_executor executor(exec::command_line_for(plan.spec));
  progress_line progress(stderr, "calibrate " + name);
  const auto started = std::chrono::system_clock::now();
  const run::calibration_result r = run::calibrate(executor, o, f.quiet ? nullptr : &progress);
  progress.finish();

  const std::string machine = run::machine_fingerprint(env);
  print_calibration(r, o, env, machine);

  if (!f.no_save) {
    run::calibration_record record;
    record.machine = machine;
    record.recorded_at = run::rfc3339(started);
    record.command = f.command;
    record.environment = env;
    record.result = r;
    run::save_calibration(f.save, record);
    std::printf("saved to %s (machine %s)\n", f.save.c_str(), machine.c_str());
  }
  return exit_ok;
}

}  // namespace

command_action add_calibrate_command(CLI::App& app) {
  auto f = std::make_shared<calibrate_flags>();
  CLI::App* sub = app.add_subcommand("calibrate", "Measure this machine's noise for a command with A/A comparisons");
  sub->description(
      "Usage: perfcheck calibrate [OPTIONS] -- PROGRAM [ARGS...]\n\n"
      "Runs PROGRAM in 2*TRIALS blocks of RUNS runs, one after the other, and compares each pair of\n"
      "blocks with the regression rule as if they were baseline and candidate. Nothing changed\n"
      "between them, so every 'regressed' or 'improved' is a false alarm. Prints the false-alarm\n"
      "rate, the noise (robust CV), the smallest slowdown the rule detects at RUNS runs, the noise\n"
      "floor, and the RUNS and tolerance to use for --target; saves them per machine fingerprint.\n"
      "The defaults measure 400 runs: calibrate with a short, representative command.");
  sub->add_option("--runs", f->options.runs, "Runs per block (one side of a comparison) [default: 10]")->type_name("R");
  sub->add_option("--trials", f->options.trials, "A/A comparisons; 2*T blocks are measured [default: 20]")->type_name("T");
  sub->add_option("--warmup", f->options.warmup, "Unmeasured runs first [default: 1]")->type_name("N");
  sub->add_option("--tolerance", f->tolerance, "Tolerance of the rule 'wall.median +TOLERANCE' under test [default: 5%]")
      ->type_name("PERCENT");
  sub->add_option("--alpha", f->options.alpha, "Significance level of the rule [default: 0.01]")->type_name("ALPHA");
  sub->add_option("--target", f->target, "The slowdown the recommended RUNS and tolerance should detect [default: 5%]")
      ->type_name("PERCENT");
  sub->add_option("--save", f->save, "Calibration file (perfcheck/calibration/v1) to add this machine's entry to; other machines' entries are kept [default: perf-calibration.json]")
      ->type_name("FILE");
  sub->add_flag("--no-save", f->no_save, "Print only; write no calibration file");
  sub->add_option("--working-directory", f->working_directory, "Run the command in DIR [default: the current directory]")
      ->type_name("DIR");
  sub->add_flag("-q,--quiet", f->quiet, "No progress line");
  sub->add_option("command", f->command, "The program and its arguments, after '--'")->type_name("PROGRAM ARGS...");
  return [f] { return execute(*f); };
}

}  // namespace perfcheck::cli
