// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/trend_text.hpp"

#include <fmt/format.h>

#include "perfcheck/model/units.hpp"

namespace perfcheck {

std::string trend_figures(std::string_view metric, const trend_outcome& t) {
  const std::string per_minute = metric.ends_with("rss")       ? format_size(t.slope * 60)
                                 : metric.ends_with("threads") ? fmt::format("{:.3g} threads", t.slope * 60)
                                                               : format_duration(t.slope * 60);
  return fmt::format("{:+.1f}% over {} ({}/min, Mann-Kendall p = {:.2g}{})", t.change * 100,
                     format_duration(double(t.window_ns)), per_minute, t.p_value,
                     t.significant ? ", significant" : ", no trend");
}

std::string trend_text(std::string_view metric, const trend_outcome& t) {
  return fmt::format("{} {}", metric, trend_figures(metric, t));
}

}  // namespace perfcheck
