// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/hash.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck {
namespace {

// Bounds that catch typos ("--runs 1000000") without limiting real use.
constexpr std::int64_t max_warmup = 10000;
constexpr double max_min_time_ns = 24 * 3600e9;
constexpr double max_output_limit = 1024.0 * 1024 * 1024;
constexpr std::int64_t max_soak_ns = 7LL * 24 * 3600 * 1000000000;
constexpr std::int64_t min_sample_interval_ns = 1'000'000;
constexpr std::int64_t max_sample_interval_ns = 10'000'000'000;

}  // namespace

namespace {

// Throws usage_error "<origin>: <field>: <problem>".
struct field_error {
  std::string_view origin;
  [[noreturn]] void operator()(std::string_view field, const std::string& problem) const {
    throw usage_error(fmt::format("{}: {}: {}", origin, field, problem));
  }
};

// Name, command, and the run plan's numbers.
void check_runs(const run_spec& spec, const field_error& fail) {
  if (const std::string problem = test_name_problem(spec.name); !problem.empty()) fail("name", problem);
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
}

// Regression settings, the baseline's source, and the environment entries.
void check_baseline(const run_spec& spec, const field_error& fail) {
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

// exec takes C strings: a NUL inside an argument, the folder or an environment entry would
// silently cut it there ("/var\u0000/x" runs in /var).
void check_no_nul(const run_spec& spec, const field_error& fail) {
  const auto list = [&](std::string_view field, const std::vector<std::string>& items, const char* what) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].find('\0') != std::string::npos) {
        fail(field, fmt::format("{} {} contains a NUL character (\\u0000), which exec would cut there; "
                                "remove it", what, i + 1));
      }
    }
  };
  list("command", spec.command, "argument");
  list("baseline_command", spec.baseline_command, "argument");
  for (const auto& [field, argv] : hook_commands(spec)) {  // SETUP, PREPARE, CLEANUP: none, or a program
    list(field, *argv, "argument");
    if (!argv->empty() && argv->front().empty()) fail(field, "the program name is empty; give the program to run and its arguments, or drop it");
  }
  list("environment", spec.environment, "entry");
  const auto path = [&](std::string_view field, const std::string& text) {
    if (text.find('\0') != std::string::npos) {
      fail(field, "contains a NUL character (\\u0000), which the system would cut there; remove it");
    }
  };
  path("working_directory", spec.working_directory);
  path("baseline_file", spec.baseline_file);
}

// Limits, soak, sampling, CPUs and nice (docs/limits.md).
void check_isolation(const run_spec& spec, const field_error& fail) {
  for (limit_kind kind : all_limit_kinds) {
    const std::int64_t value = spec.limits.get(kind);
    if (value == 0) continue;
    try {
      (void)parse_limit_value(kind, fmt::format("{}{}", value, limit_unit(kind) == unit_kind::size       ? "B"
                                                               : limit_unit(kind) == unit_kind::duration ? "ns"
                                                                                                         : ""));
    } catch (const usage_error& e) {
      fail("limits", e.what());
    }
  }
  if (spec.limits.output_bytes > 0 && spec.show_output) {
    fail("limits", "OUTPUT needs the output captured, but show_output lets it through; drop one of them");
  }
  if (spec.duration_ns < 0 || spec.duration_ns > max_soak_ns) fail("duration", "must be from 0 to 7 days, or 'once'");
  if (spec.once && spec.duration_ns > 0) fail("duration", "is either a duration or 'once', not both");
  if (spec.sample_interval_ns != 0 &&
      (spec.sample_interval_ns < min_sample_interval_ns || spec.sample_interval_ns > max_sample_interval_ns)) {
    fail("sample_interval", "must be 0 (off) or from 1ms to 10s");
  }
  for (int cpu : spec.cpus) {
    if (cpu < 0 || cpu >= max_cpu_count) fail("cpus", fmt::format("CPU {} is out of range; use 0 to {}", cpu, max_cpu_count - 1));
  }
  if (spec.nice && (*spec.nice < -20 || *spec.nice > 19)) {
    fail("nice", fmt::format("{} is out of range; use -20 (favoured) to 19 (least favoured)", *spec.nice));
  }
}

}  // namespace

void validate(const run_spec& spec, std::string_view origin) {
  const field_error fail{origin};
  check_runs(spec, fail);
  check_no_nul(spec, fail);
  check_baseline(spec, fail);
  check_isolation(spec, fail);
}

namespace {

// The optional string field `key` as a number in base units, by `parse` (parse_duration_ns,
// parse_size_bytes); a bad value fails naming the field.
template <typename Parse>
std::optional<std::int64_t> read_unit_field(const json_reader& r, std::string_view key, Parse parse) {
  auto text = r.optional_string(key);
  if (!text) return std::nullopt;
  try {
    return static_cast<std::int64_t>(parse(*text));
  } catch (const usage_error& e) {
    r.fail(key, e.what());
  }
}

// The fields of docs/limits.md: limits, soak duration, sampling, CPU pinning, nice, clean
// environment, ASLR.
// "limits": {"memory": "256MiB", "processes": 64, ...}: each value parsed for its kind.
void read_limits_object(const json_reader& r, const boost::json::value& json, run_spec& spec) {
  auto limits = r.optional_object("limits");
  if (!limits) return;
  std::vector<std::string> keys;
  for (limit_kind k : all_limit_kinds) keys.push_back(limit_key(k));
  limits->reject_unknown(std::vector<std::string_view>(keys.begin(), keys.end()));
  const auto& object = json.as_object().at("limits").as_object();
  for (limit_kind k : all_limit_kinds) {
    const auto* v = object.if_contains(limit_key(k));
    if (v == nullptr) continue;
    std::string text;
    if (v->is_string()) {
      text = std::string(v->get_string());
    } else if (limit_unit(k) == unit_kind::count && v->is_int64()) {
      text = std::to_string(v->get_int64());
    } else {
      limits->fail(limit_key(k),
                   fmt::format("expected {}, got {}",
                               limit_unit(k) == unit_kind::count
                                   ? "a whole number"
                                   : "a string with a unit, e.g. \"256MiB\" or \"60s\"",
                               boost::json::serialize(*v)));
    }
    try {
      spec.limits.set(k, parse_limit_value(k, text));
    } catch (const usage_error& e) {
      limits->fail(limit_key(k), e.what());
    }
  }
}

// "cpus": "0,2-3" or [0, 2, 3].
void read_cpus_field(const json_reader& r, const boost::json::value& json, run_spec& spec) {
  if (!r.has("cpus")) return;
  const auto& v = json.as_object().at("cpus");
  if (v.is_string()) {
    try {
      spec.cpus = parse_cpu_list(v.get_string(), "cpus");
    } catch (const usage_error& e) {
      r.fail("cpus", e.what());
    }
  } else if (v.is_array()) {
    for (const auto& c : v.get_array()) {
      if (!c.is_int64() || c.get_int64() < 0 || c.get_int64() >= max_cpu_count) {
        r.fail("cpus", fmt::format("expected CPU numbers from 0 to {}, got {}", max_cpu_count - 1,
                                   boost::json::serialize(c)));
      }
      spec.cpus.push_back(static_cast<int>(c.get_int64()));
    }
    std::sort(spec.cpus.begin(), spec.cpus.end());
    spec.cpus.erase(std::unique(spec.cpus.begin(), spec.cpus.end()), spec.cpus.end());
  } else {
    r.fail("cpus", "expected a CPU list like \"0,2-3\" or an array of CPU numbers");
  }
}

void read_isolation_fields(const json_reader& r, const boost::json::value& json, run_spec& spec) {
  auto unit_field = [&](std::string_view key, auto parse) { return read_unit_field(r, key, parse); };
  read_limits_object(r, json, spec);
  if (auto duration = r.optional_string("duration")) {
    if (*duration == "once") {
      spec.once = true;
    } else {
      spec.duration_ns = unit_field("duration", parse_duration_ns).value_or(0);
      if (spec.duration_ns <= 0) r.fail("duration", "must be more than 0s, or 'once'");
    }
  }
  if (r.optional_string("sample_interval") == "0") {
    spec.sample_interval_ns = 0;
  } else {
    spec.sample_interval_ns = unit_field("sample_interval", parse_duration_ns).value_or(spec.sample_interval_ns);
  }
  read_cpus_field(r, json, spec);
  if (auto nice = r.optional_int("nice", -20, 19)) spec.nice = static_cast<int>(*nice);
  spec.clean_environment = r.optional_bool("clean_env").value_or(false);
  spec.no_aslr = r.optional_bool("no_aslr").value_or(false);
  spec.count = r.string_array("count", false, false);
  for (const auto& what : spec.count) {
    if (what != "instructions") r.fail("count", fmt::format("'{}' cannot be counted; COUNT takes instructions", what));
  }
  spec.profile = r.optional_string("profile").value_or("");
  if (!spec.profile.empty() && spec.profile != "auto" && spec.profile != "perf" && spec.profile != "callgrind") {
    r.fail("profile", fmt::format("'{}' is not a profiler; PROFILE takes auto, perf or callgrind", spec.profile));
  }
}

// What surrounds the command: the metrics it reports and the metadata, the server it needs and
// its client kind, the SETUP, PREPARE and CLEANUP commands.
void read_surroundings(const json_reader& r, run_spec& spec) {
  spec.metrics = r.string_array("metrics", false, false);
  spec.metadata = r.string_array("metadata", false, false);
  if (auto server = r.optional_object("server")) {
    server->reject_unknown({"name", "state_dir"});
    spec.server = server->required_string("name");
    spec.server_state_dir = server->required_string("state_dir");
  }
  for (const auto& [field, argv] : hook_commands(spec)) *argv = r.string_array(field, false, false);
  spec.client = r.optional_string("client").value_or("");
}

}  // namespace

void extend_runs_for_regressions(run_spec& spec) {
  if (spec.regressions.empty() || spec.max_runs != spec.min_runs) return;
  spec.max_runs = static_cast<int>(std::min<std::int64_t>(
      static_cast<std::int64_t>(spec.min_runs) * regression_extension_factor, max_run_count));
}

run_spec spec_from_json(const boost::json::value& json, std::string_view origin) {
  const json_reader r(json, std::string(origin));
  r.reject_unknown({"schema", "name", "command", "working_directory", "environment", "warmup",
                    "runs", "min_time", "thresholds", "allow_failures", "output_dir",
                    "result_file", "show_output", "subtract_overhead", "output_limit", "regressions", "alpha",
                    "baseline", "baseline_command", "baseline_file", "history", "on_inconclusive",
                    "limits", "duration", "sample_interval", "cpus", "nice", "clean_env", "no_aslr",
                    "will_fail", "parameters", "concurrency", "seed", "metrics", "metadata", "server", "setup",
                    "prepare", "cleanup", "client", "count", "profile"});
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
  auto unit_field = [&](std::string_view key, auto parse) { return read_unit_field(r, key, parse); };
  spec.min_time_ns = unit_field("min_time", parse_duration_ns).value_or(0);
  spec.output_limit_bytes = unit_field("output_limit", parse_size_bytes).value_or(spec.output_limit_bytes);
  spec.thresholds = r.string_array("thresholds", false, false);
  spec.allow_failures = r.optional_bool("allow_failures").value_or(false);
  spec.output_dir = r.optional_string("output_dir").value_or("");
  spec.result_file = r.optional_string("result_file").value_or("");
  spec.show_output = r.optional_bool("show_output").value_or(false);
  spec.subtract_overhead = r.optional_bool("subtract_overhead").value_or(false);
  spec.will_fail = r.optional_bool("will_fail").value_or(false);
  spec.regressions = r.string_array("regressions", false, false);
  if (!r.has("runs")) extend_runs_for_regressions(spec);
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
  read_isolation_fields(r, json, spec);
  spec.parameters = parameters_from_json(r, json);
  spec.concurrency = concurrency_from_json(r, json);
  spec.seed = static_cast<std::uint64_t>(r.optional_int("seed", 0, INT64_MAX).value_or(0));
  read_surroundings(r, spec);
  validate(spec, origin);
  return spec;
}

run_spec read_spec_file(const std::filesystem::path& path) {
  return spec_from_json(read_json_file(path), path.string());
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
  o["subtract_overhead"] = spec.subtract_overhead;
  o["output_limit"] = fmt::format("{}B", spec.output_limit_bytes);
  o["regressions"] = boost::json::value_from(spec.regressions);
  o["alpha"] = spec.alpha;
  o["baseline"] = spec.baseline;
  o["baseline_command"] = boost::json::value_from(spec.baseline_command);
  if (!spec.baseline_file.empty()) o["baseline_file"] = spec.baseline_file;
  if (!spec.history.empty()) o["history"] = spec.history;
  o["on_inconclusive"] = spec.fail_on_inconclusive ? "fail" : "pass";
  if (!spec.limits.empty()) {
    boost::json::object limits;
    for (limit_kind k : all_limit_kinds) {
      const std::int64_t v = spec.limits.get(k);
      if (v == 0) continue;
      switch (limit_unit(k)) {
        case unit_kind::size: limits[limit_key(k)] = fmt::format("{}B", v); break;
        case unit_kind::duration: limits[limit_key(k)] = fmt::format("{}ns", v); break;
        default: limits[limit_key(k)] = v; break;
      }
    }
    o["limits"] = std::move(limits);
  }
  if (spec.once) o["duration"] = "once";
  if (spec.duration_ns > 0) o["duration"] = fmt::format("{}ns", spec.duration_ns);
  o["sample_interval"] = spec.sample_interval_ns == 0 ? std::string("0") : fmt::format("{}ns", spec.sample_interval_ns);
  if (!spec.cpus.empty()) o["cpus"] = format_cpu_list(spec.cpus);
  if (spec.nice) o["nice"] = *spec.nice;
  if (spec.clean_environment) o["clean_env"] = true;
  if (spec.no_aslr) o["no_aslr"] = true;
  if (spec.will_fail) o["will_fail"] = true;
  if (!spec.parameters.empty()) o["parameters"] = parameters_to_json(spec.parameters);
  if (!spec.concurrency.empty()) o["concurrency"] = boost::json::value_from(spec.concurrency);
  if (spec.seed != 0) o["seed"] = spec.seed;
  if (!spec.metrics.empty()) o["metrics"] = boost::json::value_from(spec.metrics);
  if (!spec.metadata.empty()) o["metadata"] = boost::json::value_from(spec.metadata);
  if (!spec.server.empty()) o["server"] = {{"name", spec.server}, {"state_dir", spec.server_state_dir}};
  if (!spec.client.empty()) o["client"] = spec.client;
  for (const auto& [field, argv] : hook_commands(spec)) {
    if (!argv->empty()) o[field] = boost::json::value_from(*argv);
  }
  if (!spec.count.empty()) o["count"] = boost::json::value_from(spec.count);
  if (!spec.profile.empty()) o["profile"] = spec.profile;
  return o;
}

}  // namespace perfcheck
