// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/load/capacity.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/load/load_result.hpp"
#include "perfcheck/load/staged_result.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/run/sweep.hpp"

namespace perfcheck::load {
namespace {

constexpr const char* capacity_form = "write FROM/s..TO/s, e.g. --capacity 50/s..5000/s";

double range_rate(std::string_view text, std::string_view whole, std::string_view origin) {
  quantity q;
  try {
    q = parse_quantity(text);
  } catch (const usage_error& e) {
    throw usage_error(fmt::format("{} '{}': '{}' is not a rate ({}); {}", origin, whole, text, e.what(), capacity_form));
  }
  if (q.kind != unit_kind::rate || !(q.value > 0) || q.value > 1e7) {
    throw usage_error(fmt::format("{} '{}': '{}' is not a rate from 1/s to 10000000/s; {}", origin, whole, text,
                                  capacity_form));
  }
  return q.value;
}

metric_summary single(double value) {
  metric_summary s;
  s.n = 1;
  s.min = s.max = s.mean = s.median = s.p90 = s.p95 = s.p99 = s.ci_low = s.ci_high = value;
  return s;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

capacity_range parse_capacity(std::string_view text, std::string_view origin) {
  const auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    throw usage_error(fmt::format("{} '{}': no '..' between the rates; {}", origin, text, capacity_form));
  }
  capacity_range r;
  r.from = range_rate(text.substr(0, dots), text, origin);
  r.to = range_rate(text.substr(dots + 2), text, origin);
  if (!(r.from < r.to)) {
    throw usage_error(fmt::format("{} '{}': the first rate must be below the second; {}", origin, text, capacity_form));
  }
  return r;
}

capacity_search search_capacity(const capacity_range& range, const std::function<load_report(double)>& run,
                                const std::function<std::string(double, const load_report&)>& judge,
                                const std::function<void(const capacity_step&)>& progress) {
  capacity_search out;
  double broken = 0;  // the lowest rate that broke; 0: none yet
  const auto step = [&](double rate) {
    capacity_step s{rate, run(rate), {}};
    s.broke = judge(rate, s.report);
    if (progress) progress(s);
    out.steps.push_back(std::move(s));
    return out.steps.back().held();
  };
  for (double rate = range.from; out.steps.size() < range.max_steps;) {
    if (!step(rate)) {
      broken = rate;
      break;
    }
    out.capacity = rate;
    if (rate >= range.to) {
      out.top_held = true;
      break;
    }
    rate = std::min(rate * 2, range.to);
  }
  while (broken > 0 && out.capacity > 0 && broken > out.capacity * (1 + range.resolution) &&
         out.steps.size() < range.max_steps) {
    const double mid = std::round((out.capacity + broken) / 2);
    if (mid <= out.capacity || mid >= broken) break;  // whole requests per second: nothing between
    if (step(mid)) {
      out.capacity = mid;
    } else {
      broken = mid;
    }
  }
  return out;
}

std::string step_problem(double rate, const load_report& report, const std::vector<threshold_expr>& gates) {
  run_result point;
  add_load_summaries(point, report, true);
  gate::apply_verdict(point, gates, false);
  std::vector<std::string> why = point.reasons;
  if (report.responses == 0) why.push_back("no response");
  if (report.throughput() < 0.95 * rate) {
    why.push_back(fmt::format("served {} of {}", format_quantity(report.throughput(), unit_kind::rate),
                              format_quantity(rate, unit_kind::rate)));
  }
  if (report.dropped * 100 > report.started + report.dropped) {
    why.push_back(fmt::format("{} starts dropped (no connection free in time)", report.dropped));
  }
  if (const auto lag = lag_problem(report, gates); !lag.empty()) why.push_back(lag);
  return joined(why);
}

std::pair<std::vector<threshold_expr>, std::vector<threshold_expr>> split_capacity_gates(
    const std::vector<threshold_expr>& thresholds) {
  std::pair<std::vector<threshold_expr>, std::vector<threshold_expr>> out;
  for (const auto& t : thresholds) (t.metric == "capacity" ? out.first : out.second).push_back(t);
  return out;
}

void add_capacity_points(run_result& whole, const capacity_search& search, const capacity_range& range,
                         const std::vector<threshold_expr>& capacity_gates, const std::string& url) {
  std::vector<const capacity_step*> by_rate;
  for (const auto& s : search.steps) by_rate.push_back(&s);
  std::sort(by_rate.begin(), by_rate.end(), [](const auto* a, const auto* b) { return a->rate < b->rate; });
  run_result searched;
  for (std::size_t k = 0; k < by_rate.size(); ++k) {
    const capacity_step& s = *by_rate[k];
    run_result point = load_point(whole, s.report);
    point.outcome = s.held() ? verdict::pass : verdict::failed;
    if (!s.held()) point.warnings.push_back("did not hold: " + s.broke);
    run::add_level_point(searched, std::move(point), {level_value{"rate", fmt::format("{:.0f}", s.rate)}}, k == 0);
  }
  searched.command = std::move(whole.command);
  searched.summary = std::move(whole.summary);  // the generator's own cost, over the whole search
  searched.summary["capacity"] = single(search.capacity);
  searched.metadata["capacity"] = search.top_held ? fmt::format("{} or more (the top of the range held)",
                                                                format_quantity(search.capacity, unit_kind::rate))
                                                  : format_quantity(search.capacity, unit_kind::rate);
  run_result gated;  // the verdict is the capacity's: steps above it are meant to break
  gated.summary["capacity"] = searched.summary["capacity"];
  gate::apply_verdict(gated, capacity_gates, false);
  searched.outcome = gated.outcome;
  searched.reasons = gated.reasons;
  searched.thresholds = gated.thresholds;
  const bool answered = std::any_of(search.steps.begin(), search.steps.end(),
                                    [](const capacity_step& s) { return s.report.responses > 0; });
  if (!answered) {
    searched.outcome = verdict::error;
    searched.reasons = {fmt::format("no response from {}; is the server running?", url)};
  } else if (search.capacity == 0) {
    searched.outcome = verdict::failed;
    searched.reasons.push_back(fmt::format("not even {} held: {}", format_quantity(range.from, unit_kind::rate),
                                           search.steps.front().broke));
  }
  whole = std::move(searched);
}

}  // namespace perfcheck::load
