// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/interleaver.hpp"

namespace perfcheck::run {

void interleaver::after_warmup(int copies) {
  if (!executor_) return;
  for (exec::run_report& report : baseline_runs(copies))
    baseline_metrics_.take(report.metrics_path, true, 0, report.sample);  // read and removed, unused
}

std::vector<exec::run_report> interleaver::baseline_runs(int copies) {
  std::vector<exec::run_report> out;
  if (copies <= 0) {
    out.push_back(executor_->run(discard_));
    return out;
  }
  exec::round_report round = executor_->run_round(discard_, copies);
  for (auto& copy : round.copies) out.push_back(std::move(copy));
  return out;
}

void interleaver::baseline_run(int copies) {
  // The baseline's reported metrics too, so that rules on them compare like with like.
  for (exec::run_report& report : baseline_runs(copies)) {
    baseline_metrics_.take(report.metrics_path, false, 0, report.sample);
    result_.baseline->samples.push_back(std::move(report.sample));
  }
  result_.baseline->order += 'A';
}

}  // namespace perfcheck::run
