// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// One performance test from plan to verdict: warm up, measure until the plan is met,
// summarize, gate. Writes nothing but the command's captured output.
#pragma once

#include <cstdint>
#include <memory>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/metric_intake.hpp"
#include "perfcheck/run/output_keeper.hpp"
#include "perfcheck/run/soak.hpp"

namespace perfcheck::run {

/// Told about every finished run, for progress display.
class progress_listener {
 public:
  virtual ~progress_listener() = default;
  /// `index` counts from 1 within its kind; `planned` is the warm-up count or the minimum
  /// number of measured runs.
  virtual void run_finished(bool warmup, int index, int planned, const run_sample& sample) = 0;
};

/// What the regression rules compare against, prepared by the caller.
struct regression_plan {
  std::vector<gate::regression_rule> rules;
  gate::regression_options options;   ///< alpha is the whole test's level (split over looks)
  baseline_info baseline;             ///< kind, source and sessions of the baseline
  /// History/file baselines: the baseline's values per metric (base units). Ignored with a
  /// baseline_executor, whose runs are measured here into baseline.samples.
  std::map<std::string, std::vector<double>> baseline_columns;
  exec::executor* baseline_executor = nullptr;  ///< "command": run interleaved with the candidate
  std::uint64_t seed = 0;             ///< seeds the order of each interleaved pair; 0: random
  /// Why the baseline cannot be compared at all (its instructions were counted by another
  /// source); the rules are then not decided and the verdict is inconclusive with this reason.
  std::string not_comparable;
};

/// How to run, beyond the spec.
struct runner_options {
  std::int64_t overhead_ns = 0;     ///< measured launch overhead, recorded in the result
  bool subtract_overhead = false;   ///< subtract it from every wall time (clamped at 0)
  progress_listener* progress = nullptr;
  const regression_plan* regression = nullptr;  ///< null: no regression rules
};

/// What one step of a point's measurement did.
enum class point_step { warmup, measured, done };

namespace detail {
class measurement;
}

/// One point's measurement (run_test's loop), taken a run at a time so that a sweep can
/// interleave its levels: construct (the start), step until done, then finish.
class point_run {
 public:
  /// `plan`, `executor` and `options` (and what it points at) must outlive the point_run.
  point_run(const test_plan& plan, exec::executor& executor, const runner_options& options);
  ~point_run();
  point_run(const point_run&) = delete;
  point_run& operator=(const point_run&) = delete;
  /// One warm-up or measured run, or none (done) once the plan is met or a run ended the test.
  point_step step();
  /// Summaries, soak trends, verdict and regression findings; call once.
  run_result finish();
  /// At a concurrency level: the median throughput of one copy (the level concurrency=1),
  /// which finish() divides each round's throughput by (over its copies) for "efficiency".
  void set_reference_throughput(double reference);
  /// At a concurrency level: the median throughput of its measured rounds so far (0: none).
  double median_throughput() const;

 private:
  std::unique_ptr<detail::measurement> impl_;
};

/// Runs the plan: `schedule.warmup` unmeasured runs, then measured runs until at least
/// `min_runs` are done and their wall time adds up to `min_time_ns`, or `max_runs` are done.
/// With regression rules the rules are decided at the planned looks (planned_looks) and
/// measuring goes on only while they are inconclusive. A baseline command runs interleaved:
/// every measured candidate run is paired with a baseline run, in random order within the pair.
/// Stops at the first failed run unless `allow_failures`, and at the first run a limit stopped,
/// always. After a soak, analyze_soak fills the trends. command_error from the executor passes
/// through.
run_result run_test(const test_plan& plan, exec::executor& executor, const runner_options& options);

/// Compiles `spec` (compile_plan, origin "spec"), then runs it: a bad threshold or rule throws
/// usage_error before anything runs.
run_result run_test(const run_spec& spec, exec::executor& executor, const runner_options& options);

/// Decides the regression rules of `plan` on the runs in `result` against
/// result.baseline->samples, adds the findings, reasons and warnings, and turns a `pass` into
/// regressed/inconclusive/improved. Without baseline samples it only warns.
void apply_regressions(run_result& result, const regression_plan& plan,
                       const gate::regression_options& options, bool fail_on_inconclusive);

/// Adds a warning when runs left processes running after the command exited.
void note_leaks(run_result& result);

/// Fills result.summary (wall, user, sys, cpu, rss), result.wall_outliers and the wall-time
/// warnings from result.runs and result.warmup_runs.
void summarize_runs(run_result& result);

}  // namespace perfcheck::run
