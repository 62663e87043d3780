// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/verdict_rules.hpp"

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck::gate {

std::vector<threshold_expr> parse_thresholds(const std::vector<std::string>& texts,
                                             std::string_view origin) {
  std::vector<threshold_expr> out;
  out.reserve(texts.size());
  for (const auto& t : texts) {
    try {
      out.push_back(parse_threshold(t));
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

void apply_verdict(run_result& result, const std::vector<threshold_expr>& thresholds,
                   bool allow_failures) {
  result.reasons.clear();
  result.thresholds.clear();
  bool command_failed = false;
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
  for (const auto& t : thresholds) {
    const auto value = measured_value(t, result);
    threshold_outcome outcome{t.text, value.value_or(0), value && holds(t, *value)};
    if (!value) {
      if (!command_failed) {
        result.reasons.push_back(fmt::format("{}: {} was not measured", t.text, t.subject()));
      }
    } else if (!outcome.ok) {
      result.reasons.push_back(fmt::format("{}: measured {}", t.text, format_quantity(*value, t.kind)));
    }
    violated = violated || !outcome.ok;
    result.thresholds.push_back(std::move(outcome));
  }
  result.outcome = command_failed ? verdict::error : violated ? verdict::failed : verdict::pass;
}

}  // namespace perfcheck::gate
