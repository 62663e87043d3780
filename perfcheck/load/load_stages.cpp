// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/load/load_stages.hpp"

#include <cmath>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::load {
namespace {

constexpr double highest_rate = 1e7;
constexpr std::string_view form =
    "write DURATION:RATE/s, e.g. 10s:50/s (a constant rate) or 20s:50/s..200/s (a linear ramp)";

struct stage_place {
  std::string_view origin;
  std::size_t number;  // 1-based
  std::string_view text;
  [[noreturn]] void fail(std::string_view problem) const {
    throw usage_error(fmt::format("{}: stage {} '{}' {}; {}", origin, number, text, problem, form));
  }
};

double rate_of(const stage_place& at, std::string_view text) {
  quantity q;
  try {
    q = parse_quantity(text);
  } catch (const usage_error& e) {
    at.fail(fmt::format("has a bad rate: {}", e.what()));
  }
  if (q.kind != unit_kind::rate) at.fail(fmt::format("has '{}' where a rate such as 50/s goes", text));
  if (q.value > highest_rate) at.fail(fmt::format("has a rate of {} above 10000000/s", text));
  return q.value;
}

std::int64_t duration_of(const stage_place& at, std::string_view text) {
  double ns = 0;
  try {
    ns = parse_duration_ns(text);
  } catch (const usage_error& e) {
    at.fail(fmt::format("has a bad duration: {}", e.what()));
  }
  if (!(ns >= 1)) at.fail("has a duration of 0; a stage lasts some time");
  return static_cast<std::int64_t>(std::llround(ns));
}

load_stage stage_of(const stage_place& at) {
  const auto colon = at.text.find(':');
  if (colon == std::string_view::npos) at.fail("has no ':' between its duration and its rate");
  load_stage stage;
  stage.text = std::string(at.text);
  stage.duration_ns = duration_of(at, at.text.substr(0, colon));
  const std::string_view rates = at.text.substr(colon + 1);
  const auto dots = rates.find("..");
  stage.rate = rate_of(at, rates.substr(0, dots));
  stage.end_rate = dots == std::string_view::npos ? stage.rate : rate_of(at, rates.substr(dots + 2));
  if (stage_starts(stage) < 1) {
    at.fail(fmt::format("starts no request ({} at {:.6g}/s on average); make it longer or its rate higher",
                        format_duration(static_cast<double>(stage.duration_ns)), (stage.rate + stage.end_rate) / 2));
  }
  return stage;
}

}  // namespace

std::vector<load_stage> parse_stages(std::string_view text, std::string_view origin) {
  std::vector<load_stage> stages;
  constexpr std::string_view space = " \t\r\n";
  for (std::size_t begin = text.find_first_not_of(space); begin != std::string_view::npos;
       begin = text.find_first_not_of(space, begin)) {
    const auto end = std::min(text.find_first_of(space, begin), text.size());
    if (stages.size() == max_stages) {
      throw usage_error(fmt::format("{}: more than {} stages; each stage is a level of the result", origin, max_stages));
    }
    stages.push_back(stage_of({origin, stages.size() + 1, text.substr(begin, end - begin)}));
    begin = end;
  }
  if (stages.empty()) {
    throw usage_error(fmt::format("{}: no stage given; {}, several separated by spaces: '10s:50/s 5s:1000/s 30s:50/s'",
                                  origin, form));
  }
  return stages;
}

std::int64_t stage_starts(const load_stage& stage) {
  const double mean = (stage.rate + stage.end_rate) / 2;
  return static_cast<std::int64_t>(std::floor(mean * static_cast<double>(stage.duration_ns) / 1e9 + 1e-9));
}

std::int64_t stage_offset_ns(const load_stage& stage, std::int64_t j) {
  if (j <= 0) return 0;
  const double k = static_cast<double>(j);
  double t = k / stage.rate;
  if (stage.end_rate != stage.rate) {
    const double slope = (stage.end_rate - stage.rate) / (static_cast<double>(stage.duration_ns) / 1e9);  // per s^2
    // rate t + slope t^2 / 2 = k: the root in [0, duration], in the form that stays exact for either sign.
    t = 2 * k / (stage.rate + std::sqrt(std::max(0.0, stage.rate * stage.rate + 2 * slope * k)));
  }
  return static_cast<std::int64_t>(std::llround(t * 1e9));
}

level stage_level(std::size_t index) { return {level_value{"stage", std::to_string(index + 1)}}; }

std::string stages_text(const std::vector<load_stage>& stages) {
  std::string out;
  for (const auto& s : stages) out += (out.empty() ? "" : " ") + s.text;
  return out;
}

}  // namespace perfcheck::load
