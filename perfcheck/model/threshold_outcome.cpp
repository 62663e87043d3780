// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The JSON form of threshold outcomes in result files and the history.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/threshold.hpp"

namespace perfcheck {
namespace {

const char* to_string(subject_source source) {
  switch (source) {
    case subject_source::summary: return "summary";
    case subject_source::count: return "count";
    case subject_source::soak: return "soak";
    case subject_source::reported: return "reported";
    case subject_source::levels: return "levels";
  }
  return "summary";
}

// An enum field written by name: `parse` maps the text, `allowed` goes into the message.
template <class Parse>
auto read_enum(const json_reader& t, std::string_view key, Parse parse, std::string_view allowed) {
  const std::string text = t.required_string(key);
  const auto value = parse(text);
  if (!value) t.fail(key, fmt::format("'{}' is not one of {}", text, allowed));
  return *value;
}

// The parts of an outcome written since results carry them.
threshold_expr read_parts(const json_reader& t, std::string text) {
  threshold_expr e;
  e.text = std::move(text);
  e.metric = t.required_string("metric");
  e.statistic = t.required_string("statistic");
  e.level = t.optional_string("level");
  if (e.level && e.level->empty()) t.fail("level", "is empty; leave it out for a test without levels");
  e.op = read_enum(t, "op", comparison_from_string, "<, <=, >, >=, ==, !=");
  const auto limit = t.optional_number("limit");
  if (!limit) t.fail("limit", "missing; add the threshold's limit in the metric's base unit");
  e.limit = *limit;
  e.kind = read_enum(t, "unit", unit_kind_from_string, "duration, size, rate, count");
  e.form = t.has("form") ? read_enum(t, "form", value_form_from_string, "quantity, percent, size_per_time")
                         : value_form::quantity;
  e.source = t.has("source") ? read_enum(t, "source",
                                         [](std::string_view s) -> std::optional<subject_source> {
                                           for (auto v : {subject_source::summary, subject_source::count,
                                                          subject_source::soak, subject_source::reported,
                                                          subject_source::levels}) {
                                             if (s == to_string(v)) return v;
                                           }
                                           return std::nullopt;
                                         },
                                         "summary, count, soak, reported, levels")
                             : subject_source::summary;
  // The parts must be ones the grammar can produce: a percentage is a count, a size per time a
  // rate and a soak trend, and a soak trend is one of the two (percentages also come from
  // summaries, cpu.util and efficiency, and counts, errors.rate).
  const bool form_fits = e.form == value_form::quantity ||
                         (e.form == value_form::percent && e.kind == unit_kind::count) ||
                         (e.form == value_form::size_per_time && e.kind == unit_kind::rate);
  // A reported metric's limit takes any form its unit gives (docs/metrics.md); a level
  // comparison's is a ratio in percent; a soak trend is a rate or a percentage, anything else
  // not a rate.
  const bool form_free = e.source == subject_source::reported ||
                         (e.source == subject_source::levels && e.form == value_form::percent);
  const bool source_fits = e.source == subject_source::soak ? e.form != value_form::quantity
                                                            : e.form != value_form::size_per_time;
  if (!form_fits || (!form_free && !source_fits)) {
    t.fail("form", fmt::format("'{}' with unit '{}' and source '{}' is not a threshold perfcheck writes",
                               to_string(e.form), to_string(e.kind), to_string(e.source)));
  }
  return e;
}

}  // namespace

std::string level_figures_text(const threshold_outcome& t) {
  if (t.versus.empty() || !t.measured) return {};
  return fmt::format("; {} at {} against {} at {}", format_quantity(t.left_value, t.figure_kind), t.at,
                     format_quantity(t.right_value, t.figure_kind), t.versus);
}

boost::json::value threshold_outcome_to_json(const threshold_outcome& t) {
  boost::json::object o{{"expr", t.expr.text}};
  if (t.typed) {
    o["metric"] = t.expr.metric;
    o["statistic"] = t.expr.statistic;
    if (t.expr.level) o["level"] = *t.expr.level;
    o["op"] = to_string(t.expr.op);
    o["limit"] = t.expr.limit;
    o["unit"] = to_string(t.expr.kind);
    o["form"] = to_string(t.expr.form);
    o["source"] = to_string(t.expr.source);
  }
  if (!t.at.empty()) o["at"] = t.at;
  if (!t.versus.empty()) {
    o["versus"] = t.versus;
    o["left_value"] = t.left_value;
    o["right_value"] = t.right_value;
    o["figure_unit"] = to_string(t.figure_kind);
  }
  o["value"] = t.value;
  o["ok"] = t.ok;
  o["measured"] = t.measured;
  if (t.complexity) o["complexity"] = complexity_part_to_json(*t.complexity);
  if (t.breaking_point) o["breaking_point"] = breaking_point_part_to_json(*t.breaking_point);
  return o;
}

threshold_outcome threshold_outcome_from_json(const json_reader& t) {
  threshold_outcome out;
  std::string text = t.required_string("expr");
  if (t.has("metric")) {
    out.expr = read_parts(t, std::move(text));
  } else {
    // Written before results carried the parts: the text is all there is.
    try {
      out.expr = parse_threshold(text);
    } catch (const usage_error&) {
      out.expr.text = std::move(text);
      out.typed = false;
    }
  }
  out.at = t.optional_string("at").value_or("");
  if (auto versus = t.optional_string("versus")) {
    out.versus = *versus;
    out.left_value = t.optional_number("left_value").value_or(0);
    out.right_value = t.optional_number("right_value").value_or(0);
    out.figure_kind = t.has("figure_unit") ? read_enum(t, "figure_unit", unit_kind_from_string, "duration, size, rate, count")
                                           : unit_kind::count;
  }
  out.value = t.optional_number("value").value_or(0);
  out.ok = t.optional_bool("ok").value_or(false);
  out.measured = t.optional_bool("measured").value_or(true);
  if (const auto c = t.optional_object("complexity")) out.complexity = complexity_part_from_json(*c);
  if (const auto b = t.optional_object("breaking_point")) out.breaking_point = breaking_point_part_from_json(*b);
  return out;
}

}  // namespace perfcheck
