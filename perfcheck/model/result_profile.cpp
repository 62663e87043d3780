// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A result's "profile" object: the profiler, the files, the table of functions, what was not
// measured (docs/profiles.md).
#include "perfcheck/model/result_json.hpp"

namespace perfcheck {

boost::json::object profile_to_json(const profile_info& profile) {
  boost::json::array rows;
  for (const auto& row : profile.rows) {
    rows.push_back({{"function", row.function}, {"candidate", row.candidate}, {"baseline", row.baseline},
                    {"inclusive", row.inclusive}});
  }
  boost::json::object out{{"tool", profile.tool},
                          {"not_measured", profile.not_measured},
                          {"files", boost::json::value_from(profile.files)},
                          {"rows", std::move(rows)},
                          {"samples", profile.samples},
                          {"baseline_samples", profile.baseline_samples},
                          {"warnings", boost::json::value_from(profile.warnings)}};
  if (!profile.level.empty()) out["level"] = profile.level;
  return out;
}

namespace detail {

std::optional<profile_info> read_profile(const json_reader& r, const boost::json::value& json) {
  const auto p = r.optional_object("profile");
  if (!p) return std::nullopt;
  profile_info out;
  out.tool = p->optional_string("tool").value_or("");
  out.not_measured = p->optional_string("not_measured").value_or("");
  out.level = p->optional_string("level").value_or("");
  out.files = p->string_array("files", false, false);
  out.warnings = p->string_array("warnings", false, false);
  out.samples = p->optional_int("samples", 0, INT64_MAX).value_or(0);
  out.baseline_samples = p->optional_int("baseline_samples", 0, INT64_MAX).value_or(0);
  const auto* rows = json.as_object().at("profile").as_object().if_contains("rows");
  if (rows == nullptr) return out;
  if (!rows->is_array()) p->fail("rows", "expected an array of functions");
  for (std::size_t i = 0; i < rows->get_array().size(); ++i) {
    const auto& item = rows->get_array()[i];
    if (!item.is_object()) p->fail(fmt::format("rows[{}]", i), "expected an object");
    const json_reader row(item, r.origin(), fmt::format("profile.rows[{}]", i));
    out.rows.push_back({row.required_string("function"), row.optional_number("candidate").value_or(0),
                        row.optional_number("baseline").value_or(0), row.optional_number("inclusive").value_or(0)});
  }
  return out;
}

}  // namespace detail
}  // namespace perfcheck
