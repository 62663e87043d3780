// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/level.hpp"

#include <cctype>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/json_file.hpp"

namespace perfcheck {

std::string to_string(const level& at) {
  std::string out;
  for (const auto& v : at) out += fmt::format("{}{}={}", out.empty() ? "" : ",", v.name, v.value);
  return out;
}

std::string parameter_name_problem(std::string_view name) {
  const auto ident = [](char c, bool first) {
    const auto u = static_cast<unsigned char>(c);
    return c == '_' || std::isalpha(u) || (!first && std::isdigit(u));
  };
  if (name.empty()) return "is empty; name the parameter, e.g. n";
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!ident(name[i], i == 0)) {
      return "is not an identifier (letters, digits and '_', not starting with a digit), e.g. n or size";
    }
  }
  return {};
}

std::vector<parameter_spec> parameters_from_json(const json_reader& r, const boost::json::value& spec) {
  std::vector<parameter_spec> out;
  const auto* v = spec.as_object().if_contains("parameters");
  if (v == nullptr) return out;
  if (!v->is_array()) r.fail("parameters", "expected an array of {\"name\": ..., \"values\": [...]}");
  for (std::size_t i = 0; i < v->as_array().size(); ++i) {
    const auto& item = v->as_array()[i];
    if (!item.is_object()) r.fail(fmt::format("parameters[{}]", i), "expected {\"name\": ..., \"values\": [...]}");
    const json_reader p(item, r.origin(), fmt::format("parameters[{}]", i));
    p.reject_unknown({"name", "values"});
    parameter_spec parameter{p.required_string("name"), p.string_array("values", true, true)};
    if (const auto why = parameter_name_problem(parameter.name); !why.empty()) p.fail("name", why);
    out.push_back(std::move(parameter));
  }
  return out;
}

std::vector<std::string> concurrency_from_json(const json_reader& r, const boost::json::value& spec) {
  std::vector<std::string> out;
  const auto* v = spec.as_object().if_contains("concurrency");
  if (v == nullptr) return out;
  if (!v->is_array() || v->as_array().empty())
    r.fail("concurrency", "expected a non-empty array of copy counts, e.g. [1, 5, 10]");
  for (const auto& item : v->as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
    else if (item.is_int64()) out.push_back(std::to_string(item.as_int64()));
    else if (item.is_uint64()) out.push_back(std::to_string(item.as_uint64()));
    else if (item.is_double()) out.push_back(fmt::format("{}", item.as_double()));
    else r.fail("concurrency", "expected copy counts (numbers or strings), e.g. [1, 5, 10]");
  }
  return out;
}

boost::json::value parameters_to_json(const std::vector<parameter_spec>& parameters) {
  boost::json::array out;
  for (const auto& p : parameters) out.push_back({{"name", p.name}, {"values", boost::json::value_from(p.values)}});
  return out;
}

boost::json::value level_to_json(const level& at) {
  boost::json::array out;
  for (const auto& v : at) out.push_back({{"name", v.name}, {"value", v.value}});
  return out;
}

level level_from_json(const json_reader& r, const boost::json::value& json, std::string_view key) {
  const auto* v = json.as_object().if_contains(key);
  if (v == nullptr) r.fail(key, "missing; a point names its level as [{\"name\": ..., \"value\": ...}]");
  if (!v->is_array()) r.fail(key, "expected an array of {\"name\": ..., \"value\": ...}");
  level out;
  for (std::size_t i = 0; i < v->as_array().size(); ++i) {
    const auto& item = v->as_array()[i];
    if (!item.is_object()) r.fail(fmt::format("{}[{}]", key, i), "expected {\"name\": ..., \"value\": ...}");
    const json_reader p(item, r.origin(), fmt::format("{}[{}]", key, i));
    level_value value{p.required_string("name"), p.required_string("value")};
    if (const auto why = parameter_name_problem(value.name); !why.empty()) p.fail("name", why);
    out.push_back(std::move(value));
  }
  return out;
}

}  // namespace perfcheck
