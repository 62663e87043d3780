// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The figures of a concurrency level: its rounds of N copies summarized as throughput, the
// round's memory, errors and efficiency, beside the usual summaries over every copy's run.
#pragma once

#include <cstdint>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/output_keeper.hpp"
#include "perfcheck/run/runner.hpp"

namespace perfcheck::run {

/// What one measured round was, beyond its copies' runs.
struct round_figures {
  std::int64_t wall_ns = 0;          ///< first copy's start to last copy's end
  std::int64_t rss_total_bytes = 0;  ///< peak summed RSS of the round's copies at once
  int copies = 0;
  int completed = 0;                 ///< copies that exited 0 and hit no limit
  std::int64_t leaked = 0;           ///< processes left once every copy had exited (stopped)
  /// Every process the round left: each copy's own leftovers and `leaked` (a reparented process
  /// belongs to no copy); a concurrency level's `leaked.processes` per round.
  std::int64_t leaked_total = 0;
  std::int64_t threads = 0;          ///< most threads of the round's processes at once; 0: unsampled
};

/// A figure of a whole level (or test) as a summary: n values, every statistic the value.
metric_summary whole_level(double value, std::size_t n);

/// The figures of a round report.
round_figures figures_of(const exec::round_report& round);

/// Completed copies per second of the round's wall time; 0 for a round of no time.
double throughput_of(const round_figures& round);

/// The median of the rounds' throughputs; 0 without rounds.
double median_throughput_of(const std::vector<round_figures>& rounds);

/// Whether the test stops after this round: any copy that failed or hit a limit, unless
/// failures are allowed (then they are errors that errors.count and errors.rate gate).
bool round_ends_test(const exec::round_report& round, bool allow_failures);

/// Adds a concurrency level's summaries to result.summary: "throughput" (per round, /s),
/// "rss.total" (per round, bytes), and the level's "errors.count" and "errors.rate" over every
/// measured copy (whole-level figures: every statistic is the value, n the copies); a warning
/// when rounds left processes running after their copies.
void summarize_rounds(run_result& result, const std::vector<round_figures>& rounds);

/// Adds "efficiency" to result.summary: each round's throughput over copies × `reference` (the
/// median throughput at one copy), summarized over the rounds. Nothing when reference <= 0.
void add_efficiency(run_result& result, const std::vector<round_figures>& rounds, double reference);

/// Where a round stands in the schedule, for the progress listener.
struct round_progress {
  progress_listener* listener = nullptr;
  bool warmup = false;
  int index = 0;    ///< from 1 within its kind
  int planned = 0;  ///< warm-up rounds or the minimum of measured rounds
  metric_intake* metrics = nullptr;  ///< reads each copy's metric channel; none: not read
};

/// What measure_round measured.
struct round_outcome {
  std::vector<run_sample> samples;  ///< one per copy, in instance order
  round_figures figures;
  bool ends_test = false;           ///< round_ends_test
};

/// Runs one round of plan.copies copies, keeps its output as one run's (the first failed copy's
/// sample, else the last copy's) and tells the listener (the round's wall time).
round_outcome measure_round(exec::executor& executor, const test_plan& plan, output_keeper& output,
                            run_result& result, const round_progress& progress);

/// The soak trends of a concurrency level (DURATION): one point per measured round, against the
/// rounds' cumulative wall time, "rss" the round's rss.total, "wall" its wall time, "threads" its
/// most threads at once (when every round was sampled), the server's from the round's first
/// copy (every copy carries the round's server figures); `result.runs` are the rounds' copies in
/// order. Fewer than 8 rounds: a warning that counts rounds (analyze_soak).
void analyze_round_soak(run_result& result, const std::vector<round_figures>& rounds);

/// With failures allowed, copies stopped by a limit are errors, not reasons: adds one warning
/// that counts them (by limit) and points at errors.count.
void note_limited_copies(run_result& result);

}  // namespace perfcheck::run
