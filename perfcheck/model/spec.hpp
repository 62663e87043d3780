// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What to run and how: the input of `perfcheck run`, from a spec file or from flags.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/model/level.hpp"
#include "perfcheck/model/sample.hpp"
#include "perfcheck/model/limits.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck {

/// Schema tag of spec files.
inline constexpr const char* spec_schema = "perfcheck/spec/v1";

/// The most measured runs of one test (RUNS max, and a soak's ceiling).
inline constexpr int max_run_count = 100000;

/// The default period of the process-tree sampler, and the one a sampled limit turns it on at
/// when it was switched off.
inline constexpr std::int64_t default_sample_interval_ns = 10'000'000;

/// One performance test: the command and the plan for measuring it.
struct run_spec {
  std::string name;                       ///< test name; shown in reports
  std::vector<std::string> command;       ///< argv, run without a shell; never empty
  std::string working_directory;          ///< empty: perfcheck's own
  std::vector<std::string> environment;   ///< "VAR=value" entries set on top of the inherited
  int warmup = 1;                         ///< unmeasured runs before the measured ones
  int min_runs = 10;                      ///< measured runs at least
  int max_runs = 10;                      ///< measured runs at most (>= min_runs)
  std::int64_t min_time_ns = 0;           ///< keep running past min_runs until this much time
  std::vector<std::string> thresholds;    ///< threshold expressions, checked at parse time
  bool allow_failures = false;            ///< a non-zero exit is measured, not an error
  std::string output_dir;                 ///< captured output and result; empty: no files
  std::string result_file;                ///< result JSON path; empty: <output_dir>/<name>.json
  bool show_output = false;               ///< let the command's output through
  bool subtract_overhead = false;         ///< subtract the launch overhead from every wall time
  std::int64_t output_limit_bytes = 1 << 20;  ///< per stream and run, the rest is dropped
  resource_limits limits;                 ///< per run; a run over one is stopped (verdict failed)
  std::int64_t duration_ns = 0;           ///< soak: repeat runs until this much time; 0: plan
  bool once = false;                      ///< soak: one long measured run, sampled throughout
  std::int64_t sample_interval_ns = default_sample_interval_ns;  ///< tree sampling period; 0: off (unless a
                                                 ///< limit needs it)
  std::vector<int> cpus;                  ///< pin the command to these CPUs; empty: no pinning
  std::optional<int> nice;                ///< the command's nice value (-20..19); none: inherited
  bool clean_environment = false;         ///< only PATH and `environment` reach the command
  bool no_aslr = false;                   ///< address space randomization off for the command
  std::vector<std::string> regressions;   ///< regression rules ("wall.median +5%")
  double alpha = 0.01;                    ///< significance level of the regression rules
  std::string baseline = "history";       ///< "history", "file" or "command"
  std::vector<std::string> baseline_command;  ///< argv of the baseline (baseline == "command")
  std::string baseline_file;              ///< perfcheck/baseline/v1 file (baseline == "file")
  std::string history;                    ///< history database; empty: none (no recording)
  bool fail_on_inconclusive = false;      ///< ON_INCONCLUSIVE fail: inconclusive exits 1
  /// The CTest test is marked WILL_FAIL (add_perf_test PROPERTIES WILL_FAIL TRUE): a failing
  /// verdict is expected, and the session and reports count it as an expected failure.
  bool will_fail = false;
  /// A sweep's parameters (values as written; ranges expand when the plan is compiled); empty:
  /// a test without levels.
  std::vector<parameter_spec> parameters;
  /// CONCURRENCY: the copy counts of a concurrency test as written (each a level `concurrency`,
  /// combined with the parameters; checked when the plan is compiled); empty: none.
  std::vector<std::string> concurrency;
  std::uint64_t seed = 0;                 ///< seeds a sweep's level order; 0: random (recorded)
  /// Metrics the command reports through the metric channel, "name" or "name:unit"
  /// (docs/metrics.md): thresholds and rules may name them. Checked when the plan is compiled.
  std::vector<std::string> metrics;
  /// "key=value" pairs recorded with the result (METADATA, --meta). Checked likewise.
  std::vector<std::string> metadata;
  std::string server;                     ///< the server under test the test names; empty: none
  std::string server_state_dir;           ///< where its supervisor keeps <server>.json
  /// CLIENT: what the command is, when perfcheck reads its output ("wrk": wrk's summary into
  /// the load metrics, docs/servers.md); empty: a plain command.
  std::string client;
  /// Unmeasured commands around the runs (docs/setup.md), argv without a shell; empty: none.
  std::vector<std::string> setup;         ///< once before the first run (per level with a placeholder)
  std::vector<std::string> prepare;       ///< before every run, warm-ups and baseline runs included
  std::vector<std::string> cleanup;       ///< once after the last run, whenever setup succeeded
  /// COUNT: what every run also counts, "instructions" (docs/instructions.md); empty: nothing.
  std::vector<std::string> count;
  /// With `count`: the source that counts on this machine ("perf", "valgrind", "none"), chosen
  /// by `perfcheck run` before the plan is compiled (never read from a file); part of the spec
  /// hash, so counts of different sources are different series.
  std::string count_source;
  /// PROFILE: after a failed or regressed verdict, one more run of the command (and of a baseline
  /// command) under "perf", "callgrind" or "auto" (docs/profiles.md); empty: no profile.
  std::string profile;

  bool operator==(const run_spec&) const = default;
};

/// The unmeasured commands of a spec by their field names: setup, prepare, cleanup.
inline std::array<std::pair<const char*, const std::vector<std::string>*>, 3> hook_commands(const run_spec& spec) {
  return {{{"setup", &spec.setup}, {"prepare", &spec.prepare}, {"cleanup", &spec.cleanup}}};
}
/// The same, to fill them.
inline std::array<std::pair<const char*, std::vector<std::string>*>, 3> hook_commands(run_spec& spec) {
  return {{{"setup", &spec.setup}, {"prepare", &spec.prepare}, {"cleanup", &spec.cleanup}}};
}

/// What is wrong with a test name, or "" when nothing: empty, or a control character (newline,
/// NUL, ESC, DEL, ...). Specs and history imports check names with it.
std::string test_name_problem(std::string_view name);

/// The checks every spec must pass, whatever its origin; throws usage_error naming the field
/// ("--runs" style names for flags come from the CLI, which checks its own first).
void validate(const run_spec& spec, std::string_view origin);

/// Reads a spec from parsed JSON; throws usage_error naming `origin`, the field and the fix.
run_spec spec_from_json(const boost::json::value& json, std::string_view origin);

/// How far a test with regression rules may extend past its minimum runs when its maximum was
/// not given: inconclusive verdicts then get more runs (bench.regression_power: at 10 runs a
/// +10% slowdown was found in 0 to 86% of gates depending on the load, at 10:40 in 50 of 50).
inline constexpr int regression_extension_factor = 4;

/// Sets max_runs to regression_extension_factor x min_runs (at most 100000) when the spec has
/// regression rules and max_runs == min_runs. Call it only where the runs were not given: a
/// spec without "runs", `perfcheck run` without --runs (add_perf_test applies the same rule).
void extend_runs_for_regressions(run_spec& spec);

/// Reads and validates a spec file.
run_spec read_spec_file(const std::filesystem::path& path);

/// A short stable hash (16 hex digits) of the fields that change what is measured: command,
/// working directory, environment, CPU pinning, nice, clean environment and ASLR (the last
/// four only when set, so older hashes stay valid), and the parameters (when there are any). Run counts,
/// thresholds, limits and output settings are left out, so tightening a gate keeps the
/// history comparable.
std::string spec_hash(const run_spec& spec);

/// The JSON form of a spec (schema perfcheck/spec/v1).
boost::json::value spec_to_json(const run_spec& spec);

}  // namespace perfcheck
