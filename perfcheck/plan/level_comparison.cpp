// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/plan/level_comparison.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "perfcheck/gate/threshold_expr.hpp"
#include "perfcheck/model/error.hpp"

namespace perfcheck {
namespace {

// "<subject> <op> <number>% <subject>@<level>": the shape that tells a level comparison from a
// threshold (whose right-hand side is a value alone).
const std::regex& comparison_shape() {
  static const std::regex shape(
      R"(^\s*(\S+?)\s*(<=|>=|==|!=|<|>)\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*%\s*([A-Za-z_][A-Za-z0-9_.]*@\S+)\s*$)");
  return shape;
}

[[noreturn]] void bad(std::string_view text, const std::string& problem) {
  throw usage_error(fmt::format(
      "bad level comparison '{}': {}; write e.g. 'wall.median@mode=warm <= 60% wall.median@mode=cold' "
      "(the left level's figure at most 60% of the right level's)", text, problem));
}

// The levels of the sweep that `text` names.
std::vector<std::size_t> matching(std::string_view text, const std::vector<level>& levels) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (level_matches(text, levels[i])) out.push_back(i);
  }
  return out;
}

// The figure of `subject` at the point whose level it names, or nullopt when it was not measured.
std::optional<double> figure(const threshold_expr& subject, const run_result& result) {
  for (const auto& p : points_of(result)) {
    if (!level_matches(*subject.level, p.at)) continue;
    run_result one;
    one.summary = p.summary;
    return gate::measured_value(subject, one);
  }
  return std::nullopt;
}

}  // namespace

std::optional<level_comparison> parse_level_comparison(std::string_view text) {
  const std::string s(text);
  std::smatch m;
  if (!std::regex_match(s, m, comparison_shape())) return std::nullopt;
  level_comparison c;
  c.text = s.substr(s.find_first_not_of(" \t"));
  c.text = c.text.substr(0, c.text.find_last_not_of(" \t") + 1);
  c.left = parse_threshold_subject(c.text, m[1].str());
  c.right = parse_threshold_subject(c.text, m[4].str());
  c.op = *comparison_from_string(m[2].str());
  c.factor = std::stod(m[3].str()) / 100;
  for (const auto* side : {&c.left, &c.right}) {
    if (!side->level) bad(c.text, fmt::format("'{}' names no level; add '@<level>', e.g. {}@mode=warm", side->subject(), side->subject()));
    if (side->source != subject_source::summary) {
      bad(c.text, fmt::format("'{}' is not a per-run statistic; compare e.g. wall.median or rss.max", side->subject()));
    }
  }
  if (!(c.factor > 0)) bad(c.text, "the percentage must be above 0%");
  return c;
}

std::string level_comparison_problem(const level_comparison& c, const std::vector<parameter>& parameters,
                                     const std::vector<level>& levels) {
  for (const auto* side : {&c.left, &c.right}) {
    if (std::string why = level_problem(*side->level, parameters); !why.empty()) return why;
    const auto at = matching(*side->level, levels);
    if (at.size() != 1) {
      return fmt::format("'@{}' names {} levels; a comparison needs one level on each side: name every "
                         "parameter, e.g. @{}", *side->level, at.size(), to_string(levels[at.empty() ? 0 : at.front()]));
    }
  }
  if (matching(*c.left.level, levels) == matching(*c.right.level, levels)) {
    return fmt::format("both sides are the level {}; compare two different levels, e.g. @mode=warm against @mode=cold",
                       *c.left.level);
  }
  if (c.left.kind != c.right.kind) {
    return fmt::format("{} is a {} but {} is a {}; compare figures of one kind", c.left.subject(),
                       to_string(c.left.kind), c.right.subject(), to_string(c.right.kind));
  }
  return {};
}

void apply_level_comparisons(run_result& result, const std::vector<level_comparison>& comparisons) {
  for (const auto& c : comparisons) {
    threshold_outcome o;
    o.expr = c.left;
    o.expr.text = c.text;
    o.expr.op = c.op;
    o.expr.limit = c.factor;
    o.expr.kind = unit_kind::count;
    o.expr.form = value_form::percent;
    o.expr.source = subject_source::levels;
    o.at = *c.left.level;
    o.versus = *c.right.level;
    o.figure_kind = c.left.kind;
    const auto left = figure(c.left, result), right = figure(c.right, result);
    o.measured = left && right && *right > 0;
    if (o.measured) {
      o.left_value = *left;
      o.right_value = *right;
      o.value = *left / *right;
      o.ok = gate::holds(o.expr, o.value);
    }
    if (!o.ok) {
      result.reasons.push_back(o.measured ? fmt::format("{}: measured {}{}", c.text, format_threshold_value(o.expr, o.value),
                                                        level_figures_text(o))
                                          : fmt::format("{}: not measured (a level has no {} above 0)", c.text,
                                                        c.right.subject()));
      if (result.outcome != verdict::error) result.outcome = verdict::failed;
    }
    result.thresholds.push_back(std::move(o));
  }
}

}  // namespace perfcheck
