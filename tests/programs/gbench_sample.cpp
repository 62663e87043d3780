// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// gbench_sample: a tiny Google Benchmark program for the ingest and compare tests. Each
// benchmark sums an array whose length is multiplied by $GBENCH_SAMPLE_SCALE (default 1), so a
// test can make a known slowdown by running it with a larger scale.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

namespace {

std::int64_t scale() {
  const char* text = std::getenv("GBENCH_SAMPLE_SCALE");
  const long long value = text != nullptr ? std::atoll(text) : 1;
  return value > 0 ? value : 1;
}

void sum_array(benchmark::State& state) {
  const std::vector<std::int64_t> values(static_cast<std::size_t>(state.range(0) * scale()), 3);
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::accumulate(values.begin(), values.end(), std::int64_t{0}));
  }
}

void increment(benchmark::State& state) {
  std::int64_t x = 0;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < scale(); ++i) benchmark::DoNotOptimize(++x);
  }
}

}  // namespace

// Short repetitions keep the tests quick: 5 repetitions take well under a second.
BENCHMARK(sum_array)->Arg(4096)->MinTime(0.02)->Unit(benchmark::kMicrosecond);
BENCHMARK(increment)->MinTime(0.02);

BENCHMARK_MAIN();
