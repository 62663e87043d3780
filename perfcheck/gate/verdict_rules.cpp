// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/verdict_rules.hpp"

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck::gate {

std::vector<threshold_expr> parse_thresholds(const std::vector<std::string>& texts,
                                             std::string_view origin, const std::vector<std::string>& reported) {
  std::vector<threshold_expr> out;
  out.reserve(texts.size());
  for (const auto& t : texts) {
    try {
      out.push_back(parse_threshold(t, reported));
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("{}: {}", origin, e.what()));
    }
  }
  return out;
}

std::string describe_failure(const run_sample& s) {
  if (s.signal) return fmt::format("was killed by {}", signal_name(*s.signal));
  if (s.exit_code.value_or(0) != 0) return fmt::format("exited with code {}", *s.exit_code);
  return {};
}

namespace {

// "2 s" rather than "2.00 s": a limit is read as the user wrote it.
std::string limit_text(limit_kind kind, double value) {
  std::string text = format_limit_value(kind, value);
  const auto space = text.find(' ');
  const auto dot = text.find('.');
  if (dot != std::string::npos && (space == std::string::npos || dot < space)) {
    std::size_t end = space == std::string::npos ? text.size() : space;
    std::size_t cut = end;
    while (cut > dot + 1 && text[cut - 1] == '0') --cut;
    if (cut == dot + 1) cut = dot;
    text.erase(cut, end - cut);
  }
  return text;
}

}  // namespace

std::string describe_limit(const run_sample& s, const resource_limits& limits) {
  if (!s.limit) return {};
  const limit_kind kind = *s.limit;
  std::string text = fmt::format("exceeded {}", to_string(kind));
  if (limits.get(kind) > 0)
    text += fmt::format(" {}", limit_text(kind, static_cast<double>(limits.get(kind))));
  const double seen = s.limit_observed;
  switch (kind) {
    case limit_kind::memory:
      if (seen > 0) text += fmt::format(" (tree at {} when stopped)", format_size(seen));
      break;
    case limit_kind::cpu_time:
      text += seen > 0 ? fmt::format(" (tree used {} of CPU when stopped)", format_duration(seen))
                       : std::string(" (killed by SIGXCPU)");
      break;
    case limit_kind::processes:
      if (seen > 0) text += fmt::format(" ({:.0f} processes when stopped)", seen);
      break;
    case limit_kind::open_files:
      if (seen > 0) text += fmt::format(" (a process held {:.0f} open files)", seen);
      break;
    case limit_kind::file_size: text += " (a write past it was refused with SIGXFSZ)"; break;
    case limit_kind::output:
      if (seen > 0) text += fmt::format(" ({} of output when stopped)", format_size(seen));
      break;
    case limit_kind::timeout: break;
  }
  return text;
}

namespace {

// The outcome of one threshold, its reason when it does not hold; `violated` or `skipped` set.
// COUNT instructions where nothing counts (metadata instructions.source "none",
// docs/instructions.md): a gate on instructions is skipped, never passed.
void add_outcome(run_result& result, const threshold_expr& t, bool command_failed, bool& violated, bool& skipped) {
  const auto value = measured_value(t, result);
  threshold_outcome outcome;
  outcome.expr = t;
  outcome.value = value.value_or(0);
  outcome.ok = value && holds(t, *value);
  outcome.measured = value.has_value();
  const auto source = result.metadata.find("instructions.source");
  if (!value && t.metric == "instructions" && source != result.metadata.end() && source->second == "none") {
    skipped = true;
    result.reasons.push_back(fmt::format("{}: skipped, nothing on this machine counts instructions", t.text));
  } else if (!value) {
    const std::string problem = reported_problem(t, result);
    if (!command_failed) {
      result.reasons.push_back(problem.empty() ? fmt::format("{}: {} was not measured", t.text, t.subject())
                                               : problem.starts_with(t.text) ? problem
                                               : fmt::format("{}: {}", t.text, problem));
    }
    violated = true;
  } else if (!outcome.ok) {
    result.reasons.push_back(fmt::format("{}: measured {}", t.text, format_threshold_value(t, *value)));
    violated = true;
  }
  result.thresholds.push_back(std::move(outcome));
}

}  // namespace

void apply_verdict(run_result& result, const std::vector<threshold_expr>& thresholds,
                   bool allow_failures, bool limits_are_errors) {
  result.reasons.clear();
  result.thresholds.clear();
  bool command_failed = false;
  bool limit_hit = false;
  // A run stopped by a limit fails the test whatever --allow-failures says: the limit is a gate.
  auto note_limits = [&](const std::vector<run_sample>& runs, const char* what) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (!runs[i].stopped_by_limit()) continue;
      limit_hit = true;
      result.reasons.push_back(fmt::format("{} {} {}", what, i + 1, describe_limit(runs[i], result.limits)));
    }
  };
  if (!(allow_failures && limits_are_errors)) {
    note_limits(result.warmup_runs, "warm-up run");
    note_limits(result.runs, "run");
  }
  if (!allow_failures) {
    auto note = [&](const std::vector<run_sample>& runs, const char* what) {
      for (std::size_t i = 0; i < runs.size(); ++i) {
        if (!runs[i].failed()) continue;
        command_failed = true;
        result.reasons.push_back(fmt::format("{} {} {}", what, i + 1, describe_failure(runs[i])));
      }
    };
    note(result.warmup_runs, "warm-up run");
    note(result.runs, "run");
  }
  bool violated = false;
  bool skipped = false;
  for (const auto& t : thresholds) add_outcome(result, t, command_failed, violated, skipped);
  result.outcome = command_failed                ? verdict::error
                   : violated || limit_hit         ? verdict::failed
                   : skipped                       ? verdict::skipped
                                                   : verdict::pass;
}

}  // namespace perfcheck::gate
