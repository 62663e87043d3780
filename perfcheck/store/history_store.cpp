// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/history_store.hpp"

#include <chrono>
#include <set>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/timestamp.hpp"

namespace perfcheck::store {
namespace {

// The namespace of perfcheck's result UUIDs (RFC 4122 section 4.3): a fixed random UUID, so
// keys are the same on every machine and in every version.
const boost::uuids::uuid& result_namespace() {
  static const boost::uuids::uuid ns =
      boost::uuids::string_generator()("5b0d6c3e-2f4a-4f7e-9a51-3c8e1d7b2a90");
  return ns;
}

bool is_uuid_text(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash_place = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_place ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string result_key(const run_result& result) {
  const std::string text = boost::json::serialize(result_to_json(result));
  boost::uuids::name_generator_sha1 generate(result_namespace());
  return boost::uuids::to_string(generate(text.data(), text.size()));
}

stored_result stored_result_for(const run_result& result) {
  return {result_key(result), rfc3339(std::chrono::system_clock::now()), result};
}

bool history_store::record(const run_result& result) {
  const stored_result entry = stored_result_for(result);
  return add(std::span<const stored_result>(&entry, 1)) == 1;
}

boost::json::value history_to_json(const std::vector<stored_result>& results) {
  boost::json::array entries;
  entries.reserve(results.size());
  for (const auto& r : results) {
    entries.push_back(
        {{"key", r.key}, {"recorded_at", r.recorded_at}, {"result", result_to_json(r.result)}});
  }
  boost::json::object out;
  out["schema"] = history_schema;
  out["results"] = std::move(entries);
  return out;
}

std::vector<stored_result> history_from_json(const boost::json::value& json,
                                             std::string_view origin) {
  const json_reader top(json, std::string(origin));
  const std::string schema = top.required_string("schema");
  if (schema == result_schema) return {stored_result_for(result_from_json(json, origin))};
  if (schema != history_schema) {
    top.fail("schema", fmt::format("'{}' is neither a history export ('{}') nor a result ('{}'); "
                                   "import files written by 'perfcheck history export' or "
                                   "'perfcheck run --json'",
                                   schema, history_schema, result_schema));
  }
  top.reject_unknown({"schema", "results"});
  const auto* results = json.as_object().if_contains("results");
  if (results == nullptr || !results->is_array())
    top.fail("results", "expected an array of results");
  std::vector<stored_result> out;
  std::set<std::string> seen;
  const auto& array = results->get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string place = fmt::format("results[{}]", i);
    const json_reader entry(array[i], std::string(origin), place);
    entry.reject_unknown({"key", "recorded_at", "result"});
    stored_result r;
    r.key = entry.required_string("key");
    if (!is_uuid_text(r.key)) {
      entry.fail("key", fmt::format("'{}' is not a result key (a lower-case UUID); keep the "
                                    "keys that 'perfcheck history export' wrote",
                                    r.key));
    }
    r.recorded_at = entry.required_string("recorded_at");
    if (!entry.has("result")) entry.fail("result", "missing");
    r.result = result_from_json(array[i].as_object().at("result"),
                                fmt::format("{}: {}.result", origin, place));
    // A key twice in one file: the first wins, as it would on import into a history.
    if (seen.insert(r.key).second) out.push_back(std::move(r));
  }
  return out;
}

std::vector<stored_result> read_history_file(const std::filesystem::path& path) {
  return history_from_json(read_json_file(path), path.string());
}

}  // namespace perfcheck::store
