// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Accuracy of the complexity fit and of the bound test (perfcheck/stats/complexity.hpp,
// growth_bound.hpp) on synthetic sweeps: levels n = 10 50 100 200 500, 10 runs at each level
// (perfcheck's default), every run (a + c g(n)) (1 + 0.05 z) with z standard normal (5%
// multiplicative noise) and a fixed cost a drawn uniformly in [0, 2] times the work c g(10) at
// the smallest level (a start-up cost). 200 trials
// per class. Goals: the right class in >= 95% of the trials for each of 1, log n, n, n log n,
// n^2; a linear workload fails `~ O(n)` (alpha 0.01) in <= 1% of them. Prints every figure;
// exits 1 when a goal is missed. Printed beside them: Google Benchmark's fit without an
// intercept on the same sweeps, and both fits with a fixed cost up to 20 times the smallest work.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "perfcheck/stats/complexity.hpp"
#include "perfcheck/stats/growth_bound.hpp"

namespace {

using namespace perfcheck::stats;

constexpr std::array<double, 5> levels = {10, 50, 100, 200, 500};
constexpr int runs_per_level = 10;
constexpr int trials = 200;
constexpr double noise = 0.05;
constexpr double alpha = 0.01;

// One trial: every run of a sweep with a fixed cost up to `max_share` times the smallest work.
std::vector<complexity_point> sweep(growth g, std::mt19937_64& rng, double max_share = 2) {
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> share(0, max_share);
  const double work = 1.0;  // c: the unit of the metric does not matter to the fit
  const double fixed = share(rng) * work * growth_term(g, levels.front());
  std::vector<complexity_point> p;
  for (double n : levels) {
    for (int r = 0; r < runs_per_level; ++r) p.push_back({n, (fixed + work * growth_term(g, n)) * (1 + noise * z(rng)), 1});
  }
  return p;
}

// For comparison, Google Benchmark's oAuto (complexity.cc, MinimalLeastSq): y = c g(n) without an
// intercept, the class of smallest RMS relative to the mean.
growth without_intercept(const std::vector<complexity_point>& p) {
  growth best = growth::constant;
  double best_rms = 0;
  for (growth g : all_growths) {
    double gy = 0, gg = 0, mean = 0, sq = 0;
    for (const auto& q : p) {
      gy += growth_term(g, q.level) * q.value;
      gg += growth_term(g, q.level) * growth_term(g, q.level);
      mean += q.value / static_cast<double>(p.size());
    }
    for (const auto& q : p) sq += std::pow(q.value - gy / gg * growth_term(g, q.level), 2);
    const double rms = std::sqrt(sq / static_cast<double>(p.size())) / mean;
    if (g == growth::constant || rms < best_rms) best = g, best_rms = rms;
  }
  return best;
}

// Share of the trials whose fitted class is `g`, with the classes chosen instead; `fit` is
// fit_complexity's choice, or without_intercept's.
double classify(growth g, std::mt19937_64& rng, bool ours, double max_share = 2) {
  std::array<int, all_growths.size()> chosen{};
  for (int t = 0; t < trials; ++t) {
    const auto p = sweep(g, rng, max_share);
    ++chosen[static_cast<std::size_t>(ours ? fit_complexity(p).best : without_intercept(p))];
  }
  std::printf("  %-8s correct %5.1f%%  (chosen:", std::string(growth_name(g)).c_str(),
              100.0 * chosen[static_cast<std::size_t>(g)] / trials);
  for (growth c : all_growths) std::printf(" %s %d", std::string(growth_name(c)).c_str(), chosen[static_cast<std::size_t>(c)]);
  std::printf(")\n");
  return static_cast<double>(chosen[static_cast<std::size_t>(g)]) / trials;
}

// Share of the trials of workload `g` that fail the gate `~ O(bound)`; also prints how often the
// bootstrap p alone is below alpha (the test's size when g is the bound).
double fail_rate(growth g, growth bound, std::mt19937_64& rng) {
  int failed = 0, rejected = 0;
  bound_test_options options;
  for (int t = 0; t < trials; ++t) {
    const auto p = sweep(g, rng);
    options.seed = static_cast<std::uint64_t>(t) + 1;
    const bound_gate gate{bound, fit_complexity(p).best, test_growth_bound(p, bound, options).p_value};
    if (gate.p_value < alpha) ++rejected;
    if (decide_bounds(std::span(&gate, 1), alpha)[0].exceeded) ++failed;
  }
  const double rate = static_cast<double>(failed) / trials;
  std::printf("  workload %-8s gate ~ O(%s): fails %5.1f%% of %d trials (p < %.2f alone: %5.1f%%)\n",
              std::string(growth_name(g)).c_str(), std::string(growth_name(bound)).c_str(), 100 * rate, trials, alpha,
              100.0 * rejected / trials);
  return rate;
}

}  // namespace

int main() {
  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(20261201);
  bool ok = true;
  std::printf("complexity classification: %d trials per class, levels 10 50 100 200 500, %d runs each, %.0f%% noise\n",
              trials, runs_per_level, 100 * noise);
  for (growth g : all_growths) {
    const double rate = classify(g, rng, true);
    if (g != growth::cubic && rate < 0.95) ok = false;  // n^3 is printed, not a goal
  }
  std::printf("the same sweeps fitted without an intercept (Google Benchmark's oAuto), for comparison:\n");
  for (growth g : all_growths) classify(g, rng, false);
  std::printf("a fixed cost up to 20 times the work at n = 10 (printed, not a goal): ours, then without an intercept\n");
  for (growth g : all_growths) classify(g, rng, true, 20);
  for (growth g : all_growths) classify(g, rng, false, 20);
  std::printf("bound test (wild bootstrap, B = 999, alpha %.2f, one gate):\n", alpha);
  if (fail_rate(growth::linear, growth::linear, rng) > 0.01) ok = false;
  fail_rate(growth::n_log_n, growth::linear, rng);
  fail_rate(growth::quadratic, growth::linear, rng);
  fail_rate(growth::log_n, growth::constant, rng);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("took %.1f s; goals (correct >= 95%% for 1 .. n^2, linear fails ~ O(n) <= 1%%): %s\n", seconds,
              ok ? "met" : "MISSED");
  return ok ? 0 : 1;
}
