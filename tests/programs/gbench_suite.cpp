// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// gbench_suite: a Google Benchmark program for perfcheck_add_gbench's tests (tests/cli/gbench_test.py).
// BM_sum/<n> is a family (a linear sum over n values, items_per_second and a custom counter
// "values"); BM_spin spins a fixed amount of work times $GBENCH_SUITE_SLOW (default 1), the knob
// that makes one benchmark slower. Bad behaviour on demand: GBENCH_SUITE_CRASH=list aborts before
// listing, =run aborts in a benchmark; GBENCH_SUITE_ERROR=1 makes BM_spin report an error;
// GBENCH_SUITE_COUNTER=<name> adds a counter of that name to BM_spin.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

void sum_values(benchmark::State& state) {
  if (std::strcmp(env("GBENCH_SUITE_CRASH"), "run") == 0) std::abort();
  const std::vector<std::int64_t> values(static_cast<std::size_t>(state.range(0)), 3);
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::accumulate(values.begin(), values.end(), std::int64_t{0}));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["values"] = static_cast<double>(state.range(0));
}

void spin(benchmark::State& state) {
  const long long slow = std::atoll(env("GBENCH_SUITE_SLOW"));
  const std::int64_t rounds = 2000 * (slow > 0 ? slow : 1);
  for (auto _ : state) {
    if (*env("GBENCH_SUITE_ERROR") != '\0') {
      state.SkipWithError("the suite was asked to fail (GBENCH_SUITE_ERROR)");
      break;
    }
    std::int64_t x = 0;
    for (std::int64_t i = 0; i < rounds; ++i) benchmark::DoNotOptimize(x += i);
  }
  if (*env("GBENCH_SUITE_COUNTER") != '\0') state.counters[env("GBENCH_SUITE_COUNTER")] = 1;
}

}  // namespace

BENCHMARK(sum_values)->Name("BM_sum")->RangeMultiplier(4)->Range(512, 32768);
BENCHMARK(spin)->Name("BM_spin");

int main(int argc, char** argv) {
  if (std::strcmp(env("GBENCH_SUITE_CRASH"), "list") == 0) std::abort();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
