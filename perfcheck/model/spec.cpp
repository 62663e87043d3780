// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/spec.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck {
namespace {

// Bounds that catch typos ("--runs 1000000") without limiting real use.
constexpr std::int64_t max_run_count = 100000;
constexpr std::int64_t max_warmup = 10000;
constexpr double max_min_time_ns = 24 * 3600e9;
constexpr double max_output_limit = 1024.0 * 1024 * 1024;

}  // namespace

void validate(const run_spec& spec, std::string_view origin) {
  auto fail = [&](std::string_view field, const std::string& problem) {
    throw usage_error(fmt::format("{}: {}: {}", origin, field, problem));
  };
  if (spec.name.empty()) fail("name", "is empty; give the test a name");
  for (char c : spec.name) {
    if (static_cast<unsigned char>(c) < 0x20) {
      fail("name", "contains a control character; use printable characters only");
    }
  }
  if (spec.command.empty() || spec.command.front().empty()) {
    fail("command", "is empty; give the program to run and its arguments");
  }
  if (spec.warmup < 0 || spec.warmup > max_warmup) {
    fail("warmup", fmt::format("{} is out of range; use 0 to {}", spec.warmup, max_warmup));
  }
  if (spec.min_runs < 1 || spec.min_runs > max_run_count) {
    fail("runs", fmt::format("minimum {} is out of range; use 1 to {}", spec.min_runs, max_run_count));
  }
  if (spec.max_runs < spec.min_runs || spec.max_runs > max_run_count) {
    fail("runs", fmt::format("maximum {} must be from the minimum ({}) to {}; write MIN:MAX with "
                             "MIN <= MAX", spec.max_runs, spec.min_runs, max_run_count));
  }
  if (spec.min_time_ns < 0 || static_cast<double>(spec.min_time_ns) > max_min_time_ns) {
    fail("min_time", "must be from 0 to 24h");
  }
  if (spec.output_limit_bytes < 0 || static_cast<double>(spec.output_limit_bytes) > max_output_limit) {
    fail("output_limit", "must be from 0 B to 1 GiB");
  }
  if (!(spec.alpha > 0 && spec.alpha < 0.5)) {
    fail("alpha", fmt::format("{} is out of range; use a level between 0 and 0.5, e.g. 0.01", spec.alpha));
  }
  if (spec.baseline != "history" && spec.baseline != "file" && spec.baseline != "command") {
    fail("baseline", fmt::format("'{}' is not a baseline kind; use history, file or command", spec.baseline));
  }
  if (spec.baseline == "command" && spec.baseline_command.empty()) {
    fail("baseline_command", "is empty but the baseline is 'command'; give the baseline's program and arguments");
  }
  if (spec.baseline == "file" && spec.baseline_file.empty()) {
    fail("baseline_file", "is empty but the baseline is 'file'; give the perfcheck/baseline/v1 file");
  }
  for (const auto& e : spec.environment) {
    const auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail("environment", fmt::format("'{}' is not VAR=value", e));
    }
  }
}

run_spec spec_from_json(const boost::json::value& json, std::string_view origin) {
  const json_reader r(json, std::string(origin));
  r.reject_unknown({"schema", "name", "command", "working_directory", "environment", "warmup",
                    "runs", "min_time", "thresholds", "allow_failures", "output_dir",
                    "result_file", "show_output", "output_limit", "regressions", "alpha",
                    "baseline", "baseline_command", "baseline_file", "history", "on_inconclusive"});
  const std::string schema = r.required_string("schema");
  if (schema != spec_schema) {
    r.fail("schema", fmt::format("'{}' is not a spec this perfcheck reads; expected '{}'", schema,
                                 spec_schema));
  }
  run_spec spec;
  spec.name = r.required_string("name");
  spec.command = r.string_array("command", true, true);
  spec.working_directory = r.optional_string("working_directory").value_or("");
  spec.environment = r.string_array("environment", false, false);
  spec.warmup = static_cast<int>(r.optional_int("warmup", 0, max_warmup).value_or(spec.warmup));
  if (auto runs = r.optional_object("runs")) {
    runs->reject_unknown({"min", "max"});
    spec.min_runs = static_cast<int>(runs->optional_int("min", 1, max_run_count).value_or(spec.min_runs));
    spec.max_runs = static_cast<int>(runs->optional_int("max", 1, max_run_count).value_or(spec.min_runs));
  }
  auto unit_field = [&](std::string_view key, auto parse) -> std::optional<std::int64_t> {
    auto text = r.optional_string(key);
    if (!text) return std::nullopt;
    try {
      return static_cast<std::int64_t>(parse(*text));
    } catch (const usage_error& e) {
      r.fail(key, e.what());
    }
  };
  spec.min_time_ns = unit_field("min_time", parse_duration_ns).value_or(0);
  spec.output_limit_bytes = unit_field("output_limit", parse_size_bytes).value_or(spec.output_limit_bytes);
  spec.thresholds = r.string_array("thresholds", false, false);
  spec.allow_failures = r.optional_bool("allow_failures").value_or(false);
  spec.output_dir = r.optional_string("output_dir").value_or("");
  spec.result_file = r.optional_string("result_file").value_or("");
  spec.show_output = r.optional_bool("show_output").value_or(false);
  spec.regressions = r.string_array("regressions", false, false);
  spec.alpha = r.optional_number("alpha").value_or(spec.alpha);
  spec.baseline = r.optional_string("baseline").value_or(spec.baseline);
  spec.baseline_command = r.string_array("baseline_command", false, false);
  spec.baseline_file = r.optional_string("baseline_file").value_or("");
  spec.history = r.optional_string("history").value_or("");
  if (auto policy = r.optional_string("on_inconclusive")) {
    if (*policy != "pass" && *policy != "fail") {
      r.fail("on_inconclusive", fmt::format("'{}' is not a policy; use \"pass\" or \"fail\"", *policy));
    }
    spec.fail_on_inconclusive = *policy == "fail";
  }
  validate(spec, origin);
  return spec;
}

run_spec read_spec_file(const std::filesystem::path& path) {
  return spec_from_json(read_json_file(path), path.string());
}

std::string spec_hash(const run_spec& spec) {
  // FNV-1a over length-prefixed fields: stable across builds and platforms.
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view s) {
    const std::string prefixed = fmt::format("{}:{}", s.size(), s);
    for (unsigned char c : prefixed) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  for (const auto& a : spec.command) mix(a);
  mix("|");
  mix(spec.working_directory);
  mix("|");
  for (const auto& e : spec.environment) mix(e);
  return fmt::format("{:016x}", h);
}

boost::json::value spec_to_json(const run_spec& spec) {
  boost::json::object o;
  o["schema"] = spec_schema;
  o["name"] = spec.name;
  o["command"] = boost::json::value_from(spec.command);
  if (!spec.working_directory.empty()) o["working_directory"] = spec.working_directory;
  o["environment"] = boost::json::value_from(spec.environment);
  o["warmup"] = spec.warmup;
  o["runs"] = {{"min", spec.min_runs}, {"max", spec.max_runs}};
  o["min_time"] = fmt::format("{}ns", spec.min_time_ns);
  o["thresholds"] = boost::json::value_from(spec.thresholds);
  o["allow_failures"] = spec.allow_failures;
  if (!spec.output_dir.empty()) o["output_dir"] = spec.output_dir;
  if (!spec.result_file.empty()) o["result_file"] = spec.result_file;
  o["show_output"] = spec.show_output;
  o["output_limit"] = fmt::format("{}B", spec.output_limit_bytes);
  o["regressions"] = boost::json::value_from(spec.regressions);
  o["alpha"] = spec.alpha;
  o["baseline"] = spec.baseline;
  o["baseline_command"] = boost::json::value_from(spec.baseline_command);
  if (!spec.baseline_file.empty()) o["baseline_file"] = spec.baseline_file;
  if (!spec.history.empty()) o["history"] = spec.history;
  o["on_inconclusive"] = spec.fail_on_inconclusive ? "fail" : "pass";
  return o;
}

}  // namespace perfcheck
