// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Stages of an open-model load run ("10s:50/s 30s:200/s 5s:1000/s 30s:200/s"): back to back on
// one schedule, each a level of the result (stage=1 ... stage=N).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/level.hpp"

namespace perfcheck::load {

/// The most stages one run may have (each is a level: model/level.hpp max_points).
inline constexpr std::size_t max_stages = max_points;

/// One stage: `duration_ns` of starts at a rate going linearly from `rate` to `end_rate`
/// (requests per second; equal for a constant stage).
struct load_stage {
  std::int64_t duration_ns = 0;
  double rate = 0;
  double end_rate = 0;
  std::string text;  ///< as written, "10s:50/s" or "20s:50/s..200/s"
  bool operator==(const load_stage&) const = default;
};

/// Reads whitespace-separated stages, each DURATION:RATE/s (a constant rate, e.g. 10s:50/s) or
/// DURATION:RATE/s..RATE/s (a linear ramp, e.g. 20s:50/s..200/s; one end may be 0/s). Throws
/// usage_error naming `origin`, the stage (its number and text), what is wrong and the form:
/// no stage, a stage without ':' or a rate without a rate unit, a duration of 0, a rate above
/// 10000000/s, a stage that would start no request, more than max_stages stages.
std::vector<load_stage> parse_stages(std::string_view text, std::string_view origin);

/// The requests a stage starts: floor(mean rate x duration), the mean rate (rate + end_rate) / 2.
std::int64_t stage_starts(const load_stage& stage);

/// When the stage's start `j` (0-based, below stage_starts) is due, in ns from the stage's
/// start: j / rate for a constant stage; for a ramp, the time at which the starts the rising
/// (or falling) rate has made so far reach j (the inverse of rate x t + slope x t^2 / 2).
std::int64_t stage_offset_ns(const load_stage& stage, std::int64_t j);

/// The level of stage `index` (0-based): stage=1 for the first.
level stage_level(std::size_t index);

/// The stages as written, one space between: "10s:50/s 30s:200/s".
std::string stages_text(const std::vector<load_stage>& stages);

}  // namespace perfcheck::load
