// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The fake executor the unit tests share: scripted samples, no processes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/sample.hpp"

namespace perfcheck::test {

/// Answers every run with the sample a script gives for the run's number, counting the runs.
/// The report's output counts and kernel counters stay zero.
class fake_executor final : public exec::executor {
 public:
  /// The sample of run number `call` (0 for the first run).
  using script = std::function<run_sample(int call)>;

  /// Runs `next` for every run.
  explicit fake_executor(script next) : next_(std::move(next)) {}
  /// Plays `samples` in order, then repeats the last one; no samples: default samples.
  explicit fake_executor(std::vector<run_sample> samples)
      : next_([samples = std::move(samples)](int call) {
          if (samples.empty()) return run_sample{};
          const auto at = std::min<std::size_t>(static_cast<std::size_t>(call), samples.size() - 1);
          return samples[at];
        }) {}

  /// The next scripted sample; the capture is ignored.
  exec::run_report run(const exec::output_capture&) override {
    exec::run_report report;
    report.sample = next_(calls++);
    return report;
  }

  /// Records the promise with the number of the run it was made for (the next run's `call`).
  void expect_follow_up(bool failures_allowed) override {
    follow_ups.push_back(calls);
    last_follow_up_failures_allowed = failures_allowed;
  }

  int calls = 0;                 ///< runs so far
  std::vector<int> follow_ups;   ///< runs whose follow-up was promised, by number
  bool last_follow_up_failures_allowed = false;  ///< what the last promise said

 private:
  script next_;
};

}  // namespace perfcheck::test
