// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The load generator's histogram against exact quantiles of the sorted sample.
#define BOOST_TEST_MODULE latency_histogram
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "perfcheck/load/latency_histogram.hpp"

using perfcheck::load::latency_histogram;

namespace {

constexpr std::array quantiles{0.0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0};

// The nearest-rank quantile of a sorted sample, computed directly.
double exact_quantile(const std::vector<std::int64_t>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * n)));
  return static_cast<double>(sorted[std::min(rank, sorted.size()) - 1]);
}

// Every quantile within the documented precision: max(4 ns, value / 1024).
void check_against_sorted(std::vector<std::int64_t> values) {
  latency_histogram h;
  for (auto v : values) h.record(v);
  std::sort(values.begin(), values.end());
  BOOST_TEST(h.count() == values.size());
  BOOST_TEST(h.min() == values.front());
  BOOST_TEST(h.max() == values.back());
  for (double q : quantiles) {
    const double exact = exact_quantile(values, q);
    const double got = *h.quantile(q);
    BOOST_TEST(std::abs(got - exact) <= std::max(4.0, exact / 1024), "q " << q << ": " << got << " vs exact " << exact);
  }
}

template <typename Distribution>
std::vector<std::int64_t> draw(Distribution d, std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::int64_t> values(n);
  for (auto& v : values) v = std::clamp<std::int64_t>(std::llround(d(rng)), 0, latency_histogram::highest_ns);
  return values;
}

}  // namespace

BOOST_AUTO_TEST_CASE(quantiles_of_a_lognormal_sample_are_within_a_thousandth) {
  // Around 50 µs with a long tail: what loopback latencies look like.
  check_against_sorted(draw(std::lognormal_distribution<double>(std::log(50e3), 1.0), 1'000'000, 1));
}

BOOST_AUTO_TEST_CASE(quantiles_of_ten_million_uniform_values_are_within_a_thousandth) {
  check_against_sorted(draw(std::uniform_real_distribution<double>(0, 2e9), 10'000'000, 2));
}

BOOST_AUTO_TEST_CASE(quantiles_of_an_exponential_and_a_bimodal_sample_are_within_a_thousandth) {
  check_against_sorted(draw(std::exponential_distribution<double>(1 / 3e6), 500'000, 3));
  auto fast = draw(std::normal_distribution<double>(200e3, 20e3), 400'000, 4);
  const auto stalled = draw(std::normal_distribution<double>(1e9, 1e7), 4'000, 5);
  fast.insert(fast.end(), stalled.begin(), stalled.end());
  check_against_sorted(fast);
}

BOOST_AUTO_TEST_CASE(small_values_span_every_counter_of_the_linear_range) {
  std::vector<std::int64_t> values;
  for (std::int64_t v = 0; v < 20'000; v += 3) values.push_back(v);
  check_against_sorted(values);
}

BOOST_AUTO_TEST_CASE(merging_equals_recording_into_one) {
  const auto a = draw(std::lognormal_distribution<double>(std::log(1e5), 1.5), 100'000, 6);
  const auto b = draw(std::uniform_real_distribution<double>(1e6, 5e6), 50'000, 7);
  latency_histogram ha, hb, all;
  for (auto v : a) ha.record(v), all.record(v);
  for (auto v : b) hb.record(v), all.record(v);
  ha.merge(hb);
  BOOST_TEST(ha.count() == all.count());
  BOOST_TEST(ha.min() == all.min());
  BOOST_TEST(ha.max() == all.max());
  BOOST_TEST(*ha.mean() == *all.mean(), boost::test_tools::tolerance(1e-12));
  for (double q : quantiles) BOOST_TEST(*ha.quantile(q) == *all.quantile(q));
  latency_histogram empty;
  ha.merge(empty);
  BOOST_TEST(ha.count() == all.count());
  empty.merge(hb);
  BOOST_TEST(empty.min() == hb.min());
  BOOST_TEST(*empty.quantile(0.5) == *hb.quantile(0.5));
}

BOOST_AUTO_TEST_CASE(an_empty_histogram_has_no_quantiles) {
  latency_histogram h;
  BOOST_TEST(h.count() == 0u);
  BOOST_TEST(!h.quantile(0.5).has_value());
  BOOST_TEST(!h.mean().has_value());
  BOOST_TEST(h.min() == 0);
  BOOST_TEST(h.max() == 0);
}

BOOST_AUTO_TEST_CASE(one_value_is_every_quantile_exactly) {
  latency_histogram h;
  h.record(123'456'789);
  for (double q : quantiles) BOOST_TEST(*h.quantile(q) == 123'456'789.0);
  BOOST_TEST(*h.mean() == 123'456'789.0);
}

BOOST_AUTO_TEST_CASE(values_past_the_range_are_clamped_and_counted) {
  latency_histogram h;
  for (int i = 0; i < 98; ++i) h.record(1'000'000);
  const std::int64_t two_hours = 7'200'000'000'000;
  h.record(two_hours);
  h.record(two_hours + 1);
  h.record(-5);  // a negative duration counts as 0
  BOOST_TEST(h.overflowed() == 2u);
  BOOST_TEST(h.min() == 0);
  BOOST_TEST(h.max() == two_hours + 1);  // exact, not clamped
  BOOST_TEST(*h.quantile(1.0) == static_cast<double>(two_hours + 1));
  // The 100th of 101 values is a clamped one: it reads as the top of the range.
  BOOST_TEST(std::abs(*h.quantile(100.0 / 101) - latency_histogram::highest_ns) <= latency_histogram::highest_ns / 1024.0);
  BOOST_TEST(std::abs(*h.quantile(0.5) - 1e6) <= 1e6 / 1024);
}

BOOST_AUTO_TEST_CASE(a_full_counter_stays_full_and_counts_what_it_lost) {
  latency_histogram h;
  h.record(5000);
  for (int i = 0; i < 33; ++i) {
    const latency_histogram copy = h;
    h.merge(copy);
  }
  BOOST_TEST(h.count() == (std::uint64_t{1} << 33));
  BOOST_TEST(h.saturated() == (std::uint64_t{1} << 33) - 0xffffffffu);
  BOOST_TEST(std::abs(*h.quantile(0.5) - 5000) <= 4.0);
}
