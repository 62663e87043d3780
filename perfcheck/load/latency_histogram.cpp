// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/load/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace perfcheck::load {
namespace {

constexpr std::uint64_t linear_count = 1u << latency_histogram::linear_bits;  // 1024 units
constexpr std::uint64_t half_count = linear_count / 2;                      // 512 per octave

// The counter of a value in units: itself below 1024, else octave b >= 1 (the value in
// [512 * 2^b, 1024 * 2^b)) and its top 10 bits.
std::size_t index_of(std::uint64_t units) {
  if (units < linear_count) return static_cast<std::size_t>(units);
  const int b = static_cast<int>(std::bit_width(units)) - latency_histogram::linear_bits;
  const std::uint64_t sub = units >> b;  // in [512, 1024)
  return static_cast<std::size_t>(linear_count + (b - 1) * half_count + (sub - half_count));
}

// The first unit of a counter and how many units it spans.
std::pair<std::uint64_t, std::uint64_t> span_of(std::size_t index) {
  if (index < linear_count) return {index, 1};
  const std::uint64_t above = index - linear_count;
  const int b = static_cast<int>(above / half_count) + 1;
  const std::uint64_t sub = half_count + above % half_count;
  return {sub << b, std::uint64_t{1} << b};
}

}  // namespace

void latency_histogram::add(std::size_t index, std::uint64_t n) {
  const std::uint64_t room = std::numeric_limits<std::uint32_t>::max() - counts_[index];
  const std::uint64_t taken = std::min(room, n);
  counts_[index] += static_cast<std::uint32_t>(taken);
  saturated_ += n - taken;
}

void latency_histogram::record(std::int64_t ns) {
  ns = std::max<std::int64_t>(ns, 0);
  min_ = count_ ? std::min(min_, ns) : ns;
  max_ = count_ ? std::max(max_, ns) : ns;
  ++count_;
  sum_ += static_cast<double>(ns);
  if (ns > highest_ns) ++overflowed_;
  add(index_of(static_cast<std::uint64_t>(std::min(ns, highest_ns)) >> unit_shift), 1);
}

void latency_histogram::merge(const latency_histogram& other) {
  if (other.count_ == 0) return;
  min_ = count_ ? std::min(min_, other.min_) : other.min_;
  max_ = count_ ? std::max(max_, other.max_) : other.max_;
  count_ += other.count_;
  overflowed_ += other.overflowed_;
  saturated_ += other.saturated_;
  sum_ += other.sum_;
  for (std::size_t i = 0; i < counter_count; ++i) {
    if (other.counts_[i] != 0) add(i, other.counts_[i]);
  }
}

std::optional<double> latency_histogram::mean() const {
  if (count_ == 0) return std::nullopt;
  return sum_ / static_cast<double>(count_);
}

std::optional<double> latency_histogram::quantile(double q) const {
  if (count_ == 0) return std::nullopt;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  if (rank == 1) return static_cast<double>(min_);
  if (rank >= count_) return static_cast<double>(max_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counter_count; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const auto [first, width] = span_of(i);
      const double low = static_cast<double>(first << unit_shift);
      const double high = static_cast<double>(((first + width) << unit_shift) - 1);
      return std::clamp((low + high) / 2, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);  // only when counters saturated
}

}  // namespace perfcheck::load
