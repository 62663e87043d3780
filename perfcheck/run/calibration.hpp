// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Calibration: how noisy this machine is for a command, found by A/A comparisons (the command
// against itself with the regression rule), and the calibration file (perfcheck/calibration/v1)
// that keeps the result per machine fingerprint.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/run/runner.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::run {

/// Schema tag of calibration files.
inline constexpr const char* calibration_schema = "perfcheck/calibration/v1";

/// What to measure and how to judge it.
struct calibration_options {
  int runs = 10;            ///< R: measured runs per block (one side of a comparison)
  int trials = 20;          ///< T: A/A comparisons; 2·T blocks are measured
  int warmup = 1;           ///< unmeasured runs before the first block
  double tolerance = 0.05;  ///< of the rule "wall.median +tolerance", a fraction
  double alpha = 0.01;      ///< significance level of the rule
  double target = 0.05;     ///< the slowdown the recommendation should detect, a fraction
};

/// Throws usage_error naming the flag when an option is out of range: runs below
/// stats::min_sample_size(alpha) or above 10000, trials 1..1000, warmup 0..10000, tolerance
/// 0..10, alpha in (0, 0.5], target in (0, 10].
void validate(const calibration_options& options);

/// What the A/A comparisons found. Fractions: 0.05 = 5%.
struct calibration_result {
  calibration_options options;
  std::size_t false_alarms = 0;   ///< pairs decided `regressed` or `improved` (nothing changed)
  std::size_t inconclusive = 0;   ///< pairs decided `inconclusive`
  double false_alarm_rate = 0;    ///< false_alarms / trials
  stats::interval false_alarm_interval;  ///< Wilson 95% interval of that rate
  double robust_cv = 0;           ///< robust CV of every measured wall time (all blocks pooled)
  double block_cv = 0;            ///< robust CV of the block medians: drift between blocks
  /// 80th percentile over pairs of the interval's half-width, max(change - low, high - change):
  /// how far the 1 - alpha interval reaches around the estimate at `runs` runs per side.
  double half_width = 0;
  /// tolerance + half_width: the smallest slowdown the rule flags in about 4 of 5 comparisons
  /// at `runs` runs per side.
  double min_detectable_effect = 0;
  /// The smallest tolerance at which none of the A/A pairs would have been flagged: the largest
  /// max(ci_low, -ci_high) over the pairs whose change was significant; 0 when none was.
  double noise_floor = 0;
  /// Tolerance to use for `target`: max(target / 2, noise floor rounded up to 0.5%).
  double recommended_tolerance = 0;
  /// Runs per side so that recommended_tolerance + half_width(n) <= target, with the half-width
  /// scaled as sqrt(runs / n) and n at least stats::min_sample_size(alpha); nullopt when no n up
  /// to 1000 is enough or the recommended tolerance is not below the target.
  std::optional<std::size_t> recommended_runs;
  std::vector<regression_finding> pairs;  ///< the A/A comparisons, in order
  std::vector<double> block_medians;      ///< median wall time of each block, ns
};

/// Judges measured blocks (wall times in ns, 2·T blocks of R values, consecutive blocks paired
/// as baseline and candidate) with the rule "wall.median +tolerance" of gate::evaluate_regressions.
/// Pure. Throws std::invalid_argument when the block count is odd or zero, and usage_error as
/// evaluate_regressions does (non-positive times).
calibration_result analyze_calibration(const std::vector<std::vector<double>>& blocks,
                                       const calibration_options& options);

/// Measures the command: `warmup` runs, then 2·trials blocks of `runs` runs in sequence, and
/// analyzes them. `progress` (may be null) is told about every run; `planned` is the total of
/// measured runs. A run that fails (non-zero exit, signal) throws command_error naming it.
calibration_result calibrate(exec::executor& executor, const calibration_options& options,
                             progress_listener* progress);

/// One machine's entry of a calibration file.
struct calibration_record {
  std::string machine;                ///< machine_fingerprint
  std::string recorded_at;            ///< RFC 3339 UTC
  std::vector<std::string> command;   ///< what was measured
  environment_info environment;
  calibration_result result;          ///< pairs and block medians are not stored
};

/// The JSON object of one machine's entry (docs/baselines.md).
boost::json::value calibration_record_to_json(const calibration_record& record);

/// Adds or replaces the record's machine in the calibration file at `path` (created when
/// missing), keeping every other machine's entry; written atomically. A file that exists but is
/// not a calibration file throws usage_error and is left alone.
void save_calibration(const std::filesystem::path& path, const calibration_record& record);

/// The noise floor (a fraction) calibrated for `machine` in the file at `path`; nullopt when the
/// file does not exist or has no entry for that machine. A malformed file throws usage_error
/// naming the file, the place and the fix.
std::optional<double> load_noise_floor(const std::filesystem::path& path, const std::string& machine);

}  // namespace perfcheck::run
