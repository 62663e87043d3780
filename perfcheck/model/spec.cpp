// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/json.hpp>
#include <fmt/format.h>

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
// Limits: generous ceilings that still catch a unit typo ("256TiB" of memory).
constexpr double max_limit_duration_ns = 7 * 24 * 3600e9;
constexpr double max_limit_size = 1024.0 * 1024 * 1024 * 1024 * 1024;  // 1 PiB
// The launcher walks at most 8192 processes per sample; half of that keeps PROCESSES exact.
constexpr std::int64_t max_processes = 4096;
constexpr std::int64_t max_open_files = 1 << 20;
constexpr std::int64_t max_soak_ns = 7LL * 24 * 3600 * 1000000000;
constexpr std::int64_t min_sample_interval_ns = 1'000'000;
constexpr std::int64_t max_sample_interval_ns = 10'000'000'000;
constexpr int max_cpu = 1024;  // the launcher's affinity mask

std::string kind_list() {
  std::string out;
  for (limit_kind k : all_limit_kinds) out += fmt::format("{}{}", out.empty() ? "" : ", ", to_string(k));
  return out;
}


}  // namespace

std::int64_t resource_limits::get(limit_kind kind) const {
  switch (kind) {
    case limit_kind::memory: return memory_bytes;
    case limit_kind::cpu_time: return cpu_time_ns;
    case limit_kind::timeout: return timeout_ns;
    case limit_kind::processes: return processes;
    case limit_kind::open_files: return open_files;
    case limit_kind::file_size: return file_size_bytes;
    case limit_kind::output: return output_bytes;
  }
  return 0;
}

void resource_limits::set(limit_kind kind, std::int64_t value) {
  switch (kind) {
    case limit_kind::memory: memory_bytes = value; break;
    case limit_kind::cpu_time: cpu_time_ns = value; break;
    case limit_kind::timeout: timeout_ns = value; break;
    case limit_kind::processes: processes = value; break;
    case limit_kind::open_files: open_files = value; break;
    case limit_kind::file_size: file_size_bytes = value; break;
    case limit_kind::output: output_bytes = value; break;
  }
}

unit_kind limit_unit(limit_kind kind) {
  switch (kind) {
    case limit_kind::memory:
    case limit_kind::file_size:
    case limit_kind::output: return unit_kind::size;
    case limit_kind::cpu_time:
    case limit_kind::timeout: return unit_kind::duration;
    case limit_kind::processes:
    case limit_kind::open_files: return unit_kind::count;
  }
  return unit_kind::count;
}

std::int64_t parse_limit_value(limit_kind kind, std::string_view text) {
  const unit_kind unit = limit_unit(kind);
  const char* example = unit == unit_kind::size ? "256MiB" : unit == unit_kind::duration ? "60s" : "64";
  double value = 0;
  try {
    const quantity q = parse_quantity(text);
    if (q.kind != unit) {
      throw usage_error(fmt::format("'{}' is not a {}; write e.g. {}{}", text, to_string(unit), example,
                                    unit == unit_kind::count ? "" : fmt::format(" ({})", allowed_units(unit))));
    }
    value = q.value;
  } catch (const usage_error& e) {
    throw usage_error(fmt::format("limit {}: {}", to_string(kind), e.what()));
  }
  double ceiling = unit == unit_kind::size       ? max_limit_size
                   : unit == unit_kind::duration ? max_limit_duration_ns
                   : kind == limit_kind::processes ? double(max_processes)
                                                  : double(max_open_files);
  double floor = kind == limit_kind::open_files ? 3 : 1;
  if (unit == unit_kind::count && value != std::floor(value)) {
    throw usage_error(fmt::format("limit {}: '{}' is not a whole number; write e.g. {}", to_string(kind), text, example));
  }
  if (value < floor || value > ceiling) {
    throw usage_error(fmt::format(
        "limit {}: '{}' is out of range; use {} to {}{}", to_string(kind), text,
        format_limit_value(kind, floor), format_limit_value(kind, ceiling),
        kind == limit_kind::open_files ? " (stdin, stdout and stderr count)" : ""));
  }
  return static_cast<std::int64_t>(std::llround(value));
}

std::pair<limit_kind, std::int64_t> parse_limit_assignment(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    throw usage_error(fmt::format("limit '{}' is not KIND=VALUE; write e.g. MEMORY=256MiB or TIMEOUT=60s "
                                  "(kinds: {})", text, kind_list()));
  }
  const auto kind = limit_kind_from_string(text.substr(0, eq));
  if (!kind) {
    throw usage_error(fmt::format("limit '{}': unknown kind '{}'; use one of {}", text, text.substr(0, eq),
                                  kind_list()));
  }
  return {*kind, parse_limit_value(*kind, text.substr(eq + 1))};
}

std::string format_limit_value(limit_kind kind, double value) {
  return format_quantity(value, limit_unit(kind));
}

std::vector<int> parse_cpu_list(std::string_view text, std::string_view origin) {
  auto bad = [&](const std::string& problem) -> usage_error {
    return usage_error(fmt::format("{}: '{}' {}; write CPU numbers and ranges like 0,2-3", origin, text, problem));
  };
  auto number = [&](std::string_view part) {
    int value = -1;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc{} || ptr != part.data() + part.size() || value < 0) {
      throw bad(fmt::format("has '{}', which is not a CPU number", part));
    }
    if (value >= max_cpu) throw bad(fmt::format("names CPU {}; perfcheck pins to CPUs 0 to {}", value, max_cpu - 1));
    return value;
  };
  std::vector<int> cpus;
  std::size_t begin = 0;
  if (text.empty()) throw bad("is empty");
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string_view part = text.substr(begin, end - begin);
    const auto dash = part.find('-');
    if (dash == std::string_view::npos) {
      cpus.push_back(number(part));
    } else {
      const int first = number(part.substr(0, dash));
      const int last = number(part.substr(dash + 1));
      if (last < first) throw bad(fmt::format("has the range '{}', which runs backwards", part));
      for (int c = first; c <= last; ++c) cpus.push_back(c);
    }
    begin = end + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += fmt::format("{}{}", out.empty() ? "" : ",", cpus[i]);
    if (j > i) out += fmt::format("-{}", cpus[j]);
    i = j + 1;
  }
  return out;
}

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
    if (cpu < 0 || cpu >= max_cpu) fail("cpus", fmt::format("CPU {} is out of range; use 0 to {}", cpu, max_cpu - 1));
  }
  if (spec.nice && (*spec.nice < -20 || *spec.nice > 19)) {
    fail("nice", fmt::format("{} is out of range; use -20 (favoured) to 19 (least favoured)", *spec.nice));
  }
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
void read_isolation_fields(const json_reader& r, const boost::json::value& json, run_spec& spec) {
  auto unit_field = [&](std::string_view key, auto parse) { return read_unit_field(r, key, parse); };
  if (auto limits = r.optional_object("limits")) {
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
  if (r.has("cpus")) {
    const auto& v = json.as_object().at("cpus");
    if (v.is_string()) {
      try {
        spec.cpus = parse_cpu_list(v.get_string(), "cpus");
      } catch (const usage_error& e) {
        r.fail("cpus", e.what());
      }
    } else if (v.is_array()) {
      for (const auto& c : v.get_array()) {
        if (!c.is_int64() || c.get_int64() < 0 || c.get_int64() >= max_cpu) {
          r.fail("cpus", fmt::format("expected CPU numbers from 0 to {}, got {}", max_cpu - 1,
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
  if (auto nice = r.optional_int("nice", -20, 19)) spec.nice = static_cast<int>(*nice);
  spec.clean_environment = r.optional_bool("clean_env").value_or(false);
  spec.no_aslr = r.optional_bool("no_aslr").value_or(false);
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
                    "result_file", "show_output", "output_limit", "regressions", "alpha",
                    "baseline", "baseline_command", "baseline_file", "history", "on_inconclusive",
                    "limits", "duration", "sample_interval", "cpus", "nice", "clean_env", "no_aslr"});
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
  validate(spec, origin);
  return spec;
}

run_spec read_spec_file(const std::filesystem::path& path) {
  return spec_from_json(read_json_file(path), path.string());
}

std::string spec_hash(const run_spec& spec) {
  // FNV-1a over length-prefixed fields: stable across builds and platforms.
  std::uint64_t h = fnv1a64("");
  auto mix = [&](std::string_view s) { h = fnv1a64(fmt::format("{}:{}", s.size(), s), h); };
  for (const auto& a : spec.command) mix(a);
  mix("|");
  mix(spec.working_directory);
  mix("|");
  for (const auto& e : spec.environment) mix(e);
  // Only when set, so that the hash of a spec without them is what it always was.
  if (!spec.cpus.empty()) mix("cpus=" + format_cpu_list(spec.cpus));
  if (spec.nice) mix(fmt::format("nice={}", *spec.nice));
  if (spec.clean_environment) mix("clean_env");
  if (spec.no_aslr) mix("no_aslr");
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
  return o;
}

}  // namespace perfcheck
