// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// CONCURRENCY in a plan: the copy counts checked and made the level `concurrency`, the
// `{instance}` placeholder checked, and the thresholds only a concurrency test can measure.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck {
namespace {

// Whether `text` holds the placeholder {instance} ({{ is a literal brace).
bool has_instance_placeholder(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
      continue;
    }
    if (text.substr(i).starts_with("{instance}")) return true;
  }
  return false;
}

// The copy count `text` names, or what is wrong with it.
std::string copies_problem(std::string_view text) {
  int copies = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), copies);
  if (text.empty()) return "a copy count is empty";
  if (ec != std::errc() || end != text.data() + text.size()) {
    if (ec == std::errc::result_out_of_range)
      return fmt::format("{} copies are more than one level may start ({})", text, max_copies);
    return fmt::format("'{}' is not a whole number of copies", text);
  }
  if (copies < 1) return fmt::format("{} is not a number of copies: each level starts at least 1", text);
  if (copies > max_copies) return fmt::format("{} copies are more than one level may start ({})", text, max_copies);
  return {};
}

}  // namespace

namespace detail {

parameter concurrency_levels(const run_spec& spec, const std::string& place, bool flags) {
  const char* fix = flags ? "e.g. --concurrency 1,5,10" : "e.g. CONCURRENCY 1 5 10";
  parameter out{std::string(concurrency_parameter), {}};
  for (const auto& p : spec.parameters) {
    if (p.name == concurrency_parameter || p.name == "instance") {
      throw usage_error(fmt::format("{}: the parameter name '{}' is taken by CONCURRENCY ({} and {{instance}} "
                                    "are its own); rename the parameter", place, p.name, p.name));
    }
  }
  for (const auto& text : spec.concurrency) {
    if (const auto why = copies_problem(text); !why.empty()) {
      throw usage_error(fmt::format("{}: {}; give whole numbers from 1 to {}, {}", place, why, max_copies, fix));
    }
    const std::string value = std::to_string(std::stoi(text));
    if (std::find(out.values.begin(), out.values.end(), value) != out.values.end()) {
      throw usage_error(fmt::format("{}: the level {} is given twice (duplicate levels); give each copy count once",
                                    place, value));
    }
    out.values.push_back(value);
  }
  return out;
}

void check_no_instance(const run_spec& spec, const spec_origin& origin, const std::string& where) {
  const auto fail = [&](const std::string& field) {
    throw usage_error(fmt::format("{}: {{instance}} is the copy number of a concurrency test, but the test has "
                                  "no {}; add {}, or write {{{{instance}} for the literal text",
                                  origin.flags ? field : fmt::format("{}: {}", where, field),
                                  origin.flags ? "--concurrency" : "CONCURRENCY",
                                  origin.flags ? "--concurrency 1,5,10" : "CONCURRENCY 1 5 10"));
  };
  for (std::size_t i = 0; i < spec.command.size(); ++i)
    if (has_instance_placeholder(spec.command[i]))
      fail(origin.flags ? fmt::format("command argument {}", i + 1) : fmt::format("command[{}]", i));
  for (std::size_t i = 0; i < spec.environment.size(); ++i)
    if (has_instance_placeholder(spec.environment[i]))
      fail(origin.flags ? "--env" : fmt::format("environment[{}]", i));
  if (has_instance_placeholder(spec.working_directory)) fail(origin.flags ? "--working-directory" : "working_directory");
}

void check_concurrency_instance(const run_spec& spec, const spec_origin& origin, const std::string& where) {
  if (has_instance_placeholder(spec.working_directory)) {
    throw usage_error(fmt::format("{}: {{instance}} in the working directory is not supported (all copies start "
                                  "in one folder); pass it in an argument or an environment value instead",
                                  origin.flags ? "--working-directory" : where + ": working_directory"));
  }
  for (const auto& a : spec.baseline_command) {
    if (has_instance_placeholder(a)) {
      throw usage_error(fmt::format("{}: {{instance}} in the baseline command: a concurrency test has no "
                                    "baseline command; drop it", origin.flags ? "--baseline-command" : where + ": baseline_command"));
    }
  }
}

std::string concurrency_threshold_problem(const threshold_expr& t, const test_plan& plan, const std::string& lhs) {
  if (!is_concurrency_metric(t)) return {};
  const bool concurrent = !plan.spec.concurrency.empty();
  if (!concurrent) {
    return fmt::format("{} is measured only by a concurrency test; add CONCURRENCY (--concurrency) to the "
                       "test, or drop the threshold", lhs);
  }
  if (t.metric == "efficiency") {
    const auto& values = plan.parameters.back().values;
    if (std::find(values.begin(), values.end(), "1") == values.end()) {
      return fmt::format("{} compares each level with the throughput of one copy, but the test has no "
                         "concurrency level 1; add 1 to CONCURRENCY", lhs);
    }
  }
  return {};
}

}  // namespace detail
}  // namespace perfcheck
