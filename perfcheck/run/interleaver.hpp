// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The baseline command's side of a test's runs (BASELINE command): the coin that orders each
// pair and the baseline executor's runs or rounds, collected into the result's baseline.
#pragma once

#include <random>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/run/metric_intake.hpp"
#include "perfcheck/run/runner.hpp"

namespace perfcheck::run {

// The baseline command's side of the runs: one unmeasured baseline run after each warm-up, and
// one measured baseline run per measured candidate run, before or after it by a coin toss. At a
// concurrency level (`copies` > 0) each of them is a round of as many copies of the baseline
// command, every copy a baseline run, and `order` has a letter per round.
class interleaver {
 public:
  interleaver(const regression_plan* plan, run_result& result)
      : executor_(plan ? plan->baseline_executor : nullptr),
        result_(result),
        coin_(plan && plan->seed != 0 ? plan->seed : std::random_device{}()) {}

  /// One unmeasured baseline run (a round of `copies` at a concurrency level) after a warm-up.
  void after_warmup(int copies = 0);

  // Runs `candidate` (a run or a round; returns whether the test stops) paired with a baseline
  // run, or a baseline round of `copies`.
  template <class Candidate>
  bool pair(Candidate&& candidate, int copies = 0) {
    const bool baseline_first = executor_ && (coin_() & 1) != 0;
    if (baseline_first) baseline_run(copies);
    const bool stop = candidate();
    if (executor_) result_.baseline->order += 'B';
    if (executor_ && !baseline_first && !stop) baseline_run(copies);
    return stop;
  }

 private:
  // One baseline run, or the copies of one baseline round.
  std::vector<exec::run_report> baseline_runs(int copies);
  // A measured baseline run (or round) into the result's baseline, with its reported metrics.
  void baseline_run(int copies);

  exec::executor* executor_;
  run_result& result_;
  std::mt19937_64 coin_;
  exec::output_capture discard_;  // the baseline's output is not kept
  metric_intake baseline_metrics_;  // the baseline command's channel (its warnings are not shown)
};

}  // namespace perfcheck::run
