// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A fixed-memory log-linear histogram of durations (the layout of Gil Tene's HdrHistogram):
// three significant digits from 8 µs to 73 minutes, 4 ns absolute below, mergeable across
// threads by adding counters.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace perfcheck::load {

/// Durations in nanoseconds, counted in 8 ns units: values below 1024 units (8.2 µs) have a
/// counter each; above, every octave [2^k, 2^(k+1)) has 512 equal counters, so a counter spans
/// at most 1/512 of its lower edge and a quantile (the counter's midpoint) is within
/// max(4 ns, value / 1024) of the recorded value: under 0.1 %, three significant digits.
/// Memory is fixed (under 64 KiB), whatever is recorded.
class latency_histogram {
 public:
  static constexpr int unit_shift = 3;        ///< one unit is 2^3 = 8 ns
  static constexpr int linear_bits = 10;      ///< the first 1024 units are counted one by one
  static constexpr int octaves = 29;          ///< octaves of 512 counters above them
  static constexpr std::size_t counter_count = (1u << linear_bits) + octaves * (1u << (linear_bits - 1));
  /// The largest value counted as itself, about 73.3 minutes; larger ones are clamped to it.
  static constexpr std::int64_t highest_ns = ((std::int64_t{1} << (linear_bits - 1 + octaves + 1)) << unit_shift) - 1;

  /// Counts one duration. A negative one counts as 0; one above highest_ns counts as
  /// highest_ns and in overflowed(). A counter that would pass 2^32 - 1 stays there (and the
  /// value is counted in saturated()), which takes over 4 billion equal values.
  void record(std::int64_t ns);
  /// Adds every value `other` counted: the same as recording them all here.
  void merge(const latency_histogram& other);

  /// Values recorded.
  std::uint64_t count() const { return count_; }
  /// Values above highest_ns (counted as highest_ns).
  std::uint64_t overflowed() const { return overflowed_; }
  /// Values lost to a full counter (see record).
  std::uint64_t saturated() const { return saturated_; }
  /// The smallest and largest value recorded, exact (the largest not clamped); 0 when empty.
  std::int64_t min() const { return count_ ? min_ : 0; }
  std::int64_t max() const { return count_ ? max_ : 0; }
  /// The mean of the values recorded (clamped ones as recorded), exact up to double rounding;
  /// nullopt when empty.
  std::optional<double> mean() const;
  /// The q-quantile (0 <= q <= 1) by nearest rank: the value with rank ceil(q * count())
  /// (at least 1) in sorted order, as its counter's midpoint clamped to [min(), max()];
  /// nullopt when empty. Rank 1 is min() and rank count() is max(), both exact.
  std::optional<double> quantile(double q) const;

 private:
  std::array<std::uint32_t, counter_count> counts_{};
  std::uint64_t count_ = 0, overflowed_ = 0, saturated_ = 0;
  std::int64_t min_ = 0, max_ = 0;
  double sum_ = 0;

  void add(std::size_t index, std::uint64_t n);
};

static_assert(sizeof(latency_histogram) <= 64 * 1024, "a histogram stays within 64 KiB");
static_assert(latency_histogram::highest_ns >= 3'600'000'000'000, "a histogram counts at least an hour");

}  // namespace perfcheck::load
