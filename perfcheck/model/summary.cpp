// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/summary.hpp"

#include <array>
#include <utility>

#include <boost/json.hpp>

namespace perfcheck {
namespace {

using field = double metric_summary::*;
constexpr std::array<std::pair<std::string_view, field>, 11> fields{{
    {"min", &metric_summary::min},
    {"max", &metric_summary::max},
    {"mean", &metric_summary::mean},
    {"median", &metric_summary::median},
    {"stddev", &metric_summary::stddev},
    {"mad", &metric_summary::mad},
    {"p90", &metric_summary::p90},
    {"p95", &metric_summary::p95},
    {"p99", &metric_summary::p99},
    {"ci_low", &metric_summary::ci_low},
    {"ci_high", &metric_summary::ci_high},
}};

}  // namespace

std::optional<double> metric_summary::get(std::string_view name) const {
  if (name == "p50") return median;  // the percentile name of the median (latency.p50)
  for (const auto& [key, member] : fields) {
    if (key == name) return this->*member;
  }
  return std::nullopt;
}

const char* statistic_names() { return "min, max, mean, median (or p50), stddev, mad, p90, p95, p99"; }

void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const metric_summary& s) {
  boost::json::object o;
  o["n"] = s.n;
  for (const auto& [key, member] : fields) o[key] = s.*member;
  out = std::move(o);
}

boost::json::result<metric_summary> tag_invoke(boost::json::try_value_to_tag<metric_summary>,
                                               const boost::json::value& in) {
  const auto* o = in.if_object();
  if (o == nullptr) return boost::json::make_error_code(boost::json::error::not_object);
  metric_summary s;
  if (const auto* n = o->if_contains("n"); n != nullptr) {
    if (!n->is_int64() && !n->is_uint64()) return boost::json::make_error_code(boost::json::error::not_number);
    s.n = static_cast<std::size_t>(n->to_number<std::int64_t>());
  }
  for (const auto& [key, member] : fields) {
    const auto* v = o->if_contains(key);
    if (v == nullptr || !v->is_number()) return boost::json::make_error_code(boost::json::error::not_number);
    s.*member = v->to_number<double>();
  }
  return s;
}

}  // namespace perfcheck
