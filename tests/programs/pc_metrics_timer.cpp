// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_metrics_timer MS: a perfcheck::scope_timer around a sleep of MS milliseconds, reported as
// "nap <ms> ms"; the C++ side of <perfcheck/metrics.h>.
#include <chrono>
#include <cstdlib>
#include <thread>

#include <perfcheck/metrics.h>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const long ms = std::atol(argv[1]);
  {
    perfcheck::scope_timer timer("nap");
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  return perfcheck_listening() || std::getenv("PERFCHECK_METRICS") == nullptr ? 0 : 3;
}
