// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/ingest/hyperfine.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cmath>
#include <map>
#include <optional>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/model/timestamp.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "perfcheck/version.hpp"

namespace perfcheck::ingest {
namespace {

// The array `key` of entry `e` with one element per run (`runs` of them, or any count when 0).
const boost::json::array* run_array(const json_reader& e, const boost::json::object& entry,
                                    std::string_view key, std::size_t runs) {
  const auto* value = entry.if_contains(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) e.fail(key, "expected an array with one element per run");
  const auto& array = value->get_array();
  if (runs != 0 && array.size() != runs) {
    e.fail(key, fmt::format("has {} elements for {} times; hyperfine writes one per run: the file "
                            "was cut or edited, export it again",
                            array.size(), runs));
  }
  return &array;
}

// The wall time of run `i` in whole nanoseconds, checked.
double run_seconds(const json_reader& e, const boost::json::value& v, std::size_t i) {
  const std::string place = fmt::format("times[{}]", i);
  if (!v.is_number()) e.fail(place, "expected a number of seconds");
  const double s = v.to_number<double>();
  if (!std::isfinite(s) || s <= 0 || s > 1e9) {
    e.fail(place, fmt::format("{} is not a run's time; expected seconds above 0 and at most 10^9", s));
  }
  return s;
}

// Whether run `i` failed, from exit_codes[i]: a non-zero code, or null (ended by a signal).
std::optional<std::string> failure_of(const json_reader& e, const boost::json::array* codes, std::size_t i) {
  if (codes == nullptr) return std::nullopt;
  const auto& v = (*codes)[i];
  if (v.is_null()) return std::string("was ended by a signal");
  if (!v.is_int64() && !v.is_uint64()) {
    e.fail(fmt::format("exit_codes[{}]", i), "expected an exit code (an integer) or null");
  }
  const std::int64_t code = v.to_number<std::int64_t>();
  if (code == 0) return std::nullopt;
  return fmt::format("exited with code {}", code);
}

std::int64_t peak_rss(const json_reader& e, const boost::json::array* memory, std::size_t i) {
  if (memory == nullptr) return 0;
  const auto& v = (*memory)[i];
  if (!v.is_int64() && !v.is_uint64()) {
    e.fail(fmt::format("memory_usage_byte[{}]", i), "expected a number of bytes (an integer of 0 or more)");
  }
  const auto bytes = v.to_number<std::int64_t>();
  if (bytes < 0) e.fail(fmt::format("memory_usage_byte[{}]", i), "is negative; expected 0 or more bytes");
  return bytes;
}

// The runs of one entry into `b`; failed runs become reasons.
void read_runs(const json_reader& e, const boost::json::object& entry, ingested_benchmark& b) {
  const auto* times = run_array(e, entry, "times", 0);
  if (times == nullptr || times->empty()) {
    e.fail("times", "missing or empty; hyperfine writes every run's time here (hyperfine 1.11 or "
                    "newer, --export-json)");
  }
  const auto* codes = run_array(e, entry, "exit_codes", times->size());
  const auto* memory = run_array(e, entry, "memory_usage_byte", times->size());
  run_result& r = b.result;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < times->size(); ++i) {
    const double seconds = run_seconds(e, (*times)[i], i);
    if (const auto failure = failure_of(e, codes, i)) {
      if (failed++ == 0) r.reasons.push_back(fmt::format("run {} {}", i + 1, *failure));
      continue;
    }
    run_sample s;
    s.wall_ns = std::llround(seconds * 1e9);
    s.exit_code = 0;
    s.max_rss_bytes = peak_rss(e, memory, i);
    b.columns["wall"].push_back(seconds * 1e9);
    if (memory != nullptr) b.columns["rss"].push_back(static_cast<double>(s.max_rss_bytes));
    r.runs.push_back(s);
  }
  if (failed > 0) {
    r.outcome = verdict::error;
    if (failed > 1) r.reasons.push_back(fmt::format("{} of {} runs failed", failed, times->size()));
  }
}

ingested_benchmark read_result(const boost::json::value& value, std::string_view origin, std::size_t i,
                               std::string_view started_at) {
  const std::string place = fmt::format("results[{}]", i);
  if (!value.is_object()) {
    throw usage_error(fmt::format("{}: field '{}': expected an object with a command and its times",
                                  origin, place));
  }
  const json_reader e(value, std::string(origin), place);
  ingested_benchmark b;
  run_result& r = b.result;
  r.name = e.required_string("command");
  if (const std::string problem = test_name_problem(r.name); !problem.empty()) {
    e.fail("command", fmt::format("{}; name the command with hyperfine --command-name", problem));
  }
  r.command = {r.name};
  r.environment.perfcheck_version = perfcheck::version;
  r.started_at = r.finished_at = std::string(started_at);
  read_runs(e, value.get_object(), b);
  if (const auto it = b.columns.find("wall"); it != b.columns.end()) {
    r.summary["wall"] = stats::summarize(it->second);
    r.wall_outliers = stats::outliers_modified_z(it->second);
  }
  if (const auto it = b.columns.find("rss"); it != b.columns.end()) r.summary["rss"] = stats::summarize(it->second);
  return b;
}

}  // namespace

bool is_hyperfine(const boost::json::value& json) {
  const auto* object = json.if_object();
  if (object == nullptr || object->contains("schema")) return false;
  const auto* results = object->if_contains("results");
  if (results == nullptr || !results->is_array() || results->get_array().empty()) return false;
  const auto* first = results->get_array().front().if_object();
  return first != nullptr && first->contains("command") && first->contains("times");
}

std::vector<ingested_benchmark> read_hyperfine(const boost::json::value& json, std::string_view origin,
                                               std::string_view started_at) {
  const json_reader top(json, std::string(origin));
  const auto* results = json.as_object().if_contains("results");
  if (results == nullptr || !results->is_array() || results->get_array().empty()) {
    top.fail("results", "missing or empty; this is not hyperfine's --export-json output");
  }
  std::vector<ingested_benchmark> out;
  std::map<std::string, std::size_t> seen;
  const auto& array = results->get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    ingested_benchmark b = read_result(array[i], origin, i, started_at);
    if (const auto [it, added] = seen.try_emplace(b.result.name, i); !added) {
      top.fail(fmt::format("results[{}].command", i),
               fmt::format("'{}' appears twice (results[{}] and results[{}]); tell the commands apart "
                           "with hyperfine --command-name",
                           b.result.name, it->second, i));
    }
    out.push_back(std::move(b));
  }
  return out;
}

std::string modified_at(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw usage_error(fmt::format("{}: cannot read its modification time: {}", path.string(),
                                  std::strerror(errno)));
  }
  const auto since_epoch = std::chrono::seconds(info.st_mtim.tv_sec) + std::chrono::nanoseconds(info.st_mtim.tv_nsec);
  return rfc3339(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch)));
}

std::vector<ingested_benchmark> read_hyperfine_file(const std::filesystem::path& path) {
  return read_hyperfine(read_json_file(path), path.string(), modified_at(path));
}

}  // namespace perfcheck::ingest
