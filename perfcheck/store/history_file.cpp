// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// History export files (perfcheck/history/v1): written and read one result at a time, and every
// imported result checked as `perfcheck run` checks what it writes.
#include <limits>
#include <set>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/json_stream.hpp"
#include "perfcheck/model/series_expr.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/store/history_store.hpp"

namespace perfcheck::store {
namespace {

bool is_uuid_text(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash_place = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_place ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Throws usage_error "<origin>: field '<place>.<field>': <problem>".
struct imported_field_error {
  std::string_view origin;
  std::string_view place;
  [[noreturn]] void operator()(const std::string& field, std::string_view problem) const {
    throw usage_error(fmt::format("{}: field '{}{}{}': {}", origin, place, place.empty() ? "" : ".",
                                  field, problem));
  }
};

void check_thresholds(const run_result& r, const imported_field_error& fail) {
  for (std::size_t i = 0; i < r.thresholds.size(); ++i) {
    const threshold_outcome& t = r.thresholds[i];
    const std::string field = fmt::format("thresholds[{}].expr", i);
    // A level comparison ("wall.median@mode=warm <= 60% wall.median@mode=cold") is parsed by
    // the plan, not here: its text must begin with the subject its parts name.
    if (t.expr.source == subject_source::levels) {
      if (t.expr.text.rfind(t.expr.subject(), 0) != 0 || t.expr.text.find('%') == std::string::npos) {
        fail(field, fmt::format("'{}' is not the level comparison its parts name ({}); the file was edited: "
                                "export the results again", t.expr.text, t.expr.subject()));
      }
      continue;
    }
    threshold_expr parsed;
    try {
      // A metric the command reported is known by the name the outcome's parts give.
      const std::vector<std::string> reported = t.expr.source == subject_source::reported
                                                    ? std::vector<std::string>{t.expr.metric}
                                                    : std::vector<std::string>{};
      parsed = is_series_gate(t.expr.text) ? series_gate_parts(t.expr.text, reported) : parse_threshold(t.expr.text, reported);
    } catch (const usage_error& e) {
      fail(field, fmt::format("is not a threshold perfcheck run accepts ({}); import results that "
                              "'perfcheck run' wrote",
                              e.what()));
    }
    if (t.typed && !(parsed == t.expr)) {
      fail(field, fmt::format("'{}' does not say what its parts (metric, statistic, op, limit, unit) "
                              "say; the file was edited: export the results again",
                              parsed.text));
    }
  }
}

// An entry's "baseline": {"epoch": N, "state": "accepted" | "pending" | "excluded"}, which must
// fit the result's verdict (an error is excluded, anything else accepted or pending).
epoch_membership read_membership(const json_reader& entry, verdict outcome) {
  const json_reader b = *entry.optional_object("baseline");
  b.reject_unknown({"epoch", "state"});
  const auto epoch = b.optional_int("epoch", 0, std::numeric_limits<std::int64_t>::max());
  if (!epoch) b.fail("epoch", "missing; give the baseline epoch (0 or more) or leave 'baseline' out");
  const std::string text = b.required_string("state");
  const auto state = baseline_state_from_string(text);
  if (!state) {
    b.fail("state", fmt::format("'{}' is not a baseline state; use accepted, pending or excluded", text));
  }
  if ((*state == baseline_state::excluded) != (outcome == verdict::error)) {
    b.fail("state", fmt::format("'{}' does not fit the result's verdict '{}' (an error is excluded, any "
                                "other verdict accepted or pending); export the results again, or "
                                "leave 'baseline' out to have it placed by the rules",
                                text, to_string(outcome)));
  }
  return {*epoch, *state};
}

// One element of "results": its key must be the key of its content.
stored_result read_entry(const boost::json::value& value, std::string_view origin,
                         const std::string& place) {
  const json_reader entry(value, std::string(origin), place);
  entry.reject_unknown({"key", "recorded_at", "baseline", "result"});
  std::optional<std::string> key = entry.optional_string("key");
  if (key && !is_uuid_text(*key)) {
    entry.fail("key", fmt::format("'{}' is not a result key (a lower-case UUID); keep the keys that "
                                  "'perfcheck history export' wrote, or leave the key out",
                                  *key));
  }
  stored_result r;
  r.recorded_at = entry.required_string("recorded_at");
  if (!entry.has("result")) entry.fail("result", "missing");
  r.result = result_from_json(value.as_object().at("result"), fmt::format("{}: {}.result", origin, place));
  check_imported_result(r.result, origin, place + ".result");
  if (entry.has("baseline")) r.baseline = read_membership(entry, r.result.outcome);
  r.key = result_key(r.result);
  if (key && *key != r.key) {
    entry.fail("key", fmt::format("'{}' is not the key of this result's content ({}); the file was "
                                  "edited after export: restore it, or leave the key out to have "
                                  "it computed",
                                  *key, r.key));
  }
  return r;
}

[[noreturn]] void fail_schema(const json_reader& top, const std::string& schema) {
  top.fail("schema", fmt::format("'{}' is neither a history export ('{}') nor a result ('{}'); "
                                 "import files written by 'perfcheck history export' or "
                                 "'perfcheck run --json'",
                                 schema, history_schema, result_schema));
}

// The export form of one entry.
boost::json::value entry_to_json(const stored_result& r) {
  boost::json::object out{{"key", r.key}, {"recorded_at", r.recorded_at}};
  if (r.baseline) {
    out["baseline"] = {{"epoch", r.baseline->epoch}, {"state", to_string(r.baseline->state)}};
  }
  out["result"] = result_to_json(r.result);
  return out;
}

}  // namespace

void check_imported_result(const run_result& r, std::string_view origin, std::string_view place) {
  const imported_field_error fail{origin, place};
  if (const std::string problem = test_name_problem(r.name); !problem.empty()) {
    fail("name", fmt::format("{} (perfcheck run refuses such a name)", problem));
  }
  check_thresholds(r, fail);
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    if (const std::string problem = measured_run_problem(r.runs[i]); !problem.empty()) {
      fail(fmt::format("runs[{}]", i), problem);
    }
  }
}

boost::json::value history_to_json(const std::vector<stored_result>& results) {
  boost::json::array entries;
  entries.reserve(results.size());
  for (const auto& r : results) entries.push_back(entry_to_json(r));
  boost::json::object out;
  out["schema"] = history_schema;
  out["results"] = std::move(entries);
  return out;
}

std::vector<stored_result> history_from_json(const boost::json::value& json,
                                             std::string_view origin) {
  const json_reader top(json, std::string(origin));
  const std::string schema = top.required_string("schema");
  if (schema == result_schema) {
    run_result r = result_from_json(json, origin);
    check_imported_result(r, origin, "");
    return {stored_result_for(r)};
  }
  if (schema != history_schema) fail_schema(top, schema);
  top.reject_unknown({"schema", "results"});
  const auto* results = json.as_object().if_contains("results");
  if (results == nullptr || !results->is_array())
    top.fail("results", "expected an array of results");
  std::vector<stored_result> out;
  std::set<std::string> seen;
  const auto& array = results->get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    stored_result r = read_entry(array[i], origin, fmt::format("results[{}]", i));
    // A key twice in one file: the first wins, as it would on import into a history.
    if (seen.insert(r.key).second) out.push_back(std::move(r));
  }
  return out;
}

std::size_t stream_history_file(const std::filesystem::path& path,
                                const std::function<void(stored_result&&)>& each) {
  const std::string origin = path.string();
  std::size_t count = 0;
  const auto element = [&](boost::json::value&& value, std::size_t index,
                           const std::map<std::string, std::string>& before) {
    const auto schema = before.find("schema");
    if (schema == before.end() || schema->second != history_schema) {
      throw usage_error(fmt::format("{}: field 'schema': expected '{}' before 'results', as "
                                    "'perfcheck history export' writes it",
                                    origin, history_schema));
    }
    each(read_entry(value, origin, fmt::format("results[{}]", index)));
    ++count;
  };
  const json_stream_result file = stream_json_file(path, "results", element);
  const json_reader top(file.rest, origin);
  const std::string schema = top.required_string("schema");
  if (schema == result_schema) {
    run_result r = result_from_json(file.rest, origin);
    check_imported_result(r, origin, "");
    each(stored_result_for(r));
    return 1;
  }
  if (schema != history_schema) fail_schema(top, schema);
  top.reject_unknown({"schema", "results"});
  if (!file.streamed) top.fail("results", "expected an array of results");
  return count;
}

std::vector<stored_result> read_history_file(const std::filesystem::path& path) {
  std::vector<stored_result> out;
  std::set<std::string> seen;
  stream_history_file(path, [&](stored_result&& r) {
    if (seen.insert(r.key).second) out.push_back(std::move(r));
  });
  return out;
}

std::size_t write_history_export(history_store& history,
                                 const std::function<void(std::string_view)>& write) {
  write(fmt::format("{{\n  \"schema\": {},\n  \"results\": ",
                    boost::json::serialize(boost::json::value(history_schema))));
  std::size_t count = 0;
  std::string indented;
  history.each_result([&](const stored_result& r) {
    // pretty_json at the depth of an array element: every line four spaces further in (JSON
    // strings hold no raw newline, so every newline is a line break).
    const std::string text = pretty_json(entry_to_json(r));
    indented.assign(count == 0 ? "[\n    " : ",\n    ");
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
      indented += text[i];
      if (text[i] == '\n') indented += "    ";
    }
    write(indented);
    ++count;
  });
  write(count == 0 ? "[]\n}\n" : "\n  ]\n}\n");
  return count;
}

}  // namespace perfcheck::store
