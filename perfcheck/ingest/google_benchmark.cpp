// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/ingest/google_benchmark.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>
#include <set>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/stats/descriptive.hpp"
#include "perfcheck/version.hpp"

namespace perfcheck::ingest {
namespace {

constexpr const char* allowed_time_units = "ns, us, ms, s";

std::optional<double> ns_per_unit(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

// Google Benchmark writes "2026-11-23T11:49:38+00:00" (1.6 and newer; older versions wrote a
// local time without a zone, which cannot be placed in UTC): returns RFC 3339 UTC, or "".
std::string utc_from_benchmark_date(std::string_view date) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  const std::string text(date);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6) return {};
  std::string_view zone = std::string_view(text).substr(static_cast<std::size_t>(n));
  long offset_s = 0;
  if (zone == "Z") {
    offset_s = 0;
  } else if (zone.size() >= 5 && (zone[0] == '+' || zone[0] == '-')) {
    int zh = 0, zm = 0;
    const std::string z(zone.substr(1));
    if (std::sscanf(z.c_str(), "%2d:%2d", &zh, &zm) != 2 && std::sscanf(z.c_str(), "%2d%2d", &zh, &zm) != 2) {
      return {};
    }
    offset_s = (zh * 60L + zm) * 60L * (zone[0] == '-' ? -1 : 1);
  } else {
    return {};
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return {};
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const std::time_t utc = ::timegm(&tm) - offset_s;
  std::tm out{};
  if (::gmtime_r(&utc, &out) == nullptr) return {};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z", out.tm_year + 1900, out.tm_mon + 1,
                     out.tm_mday, out.tm_hour, out.tm_min, out.tm_sec);
}

// What the file's context object says about the machine and the run.
struct benchmark_context {
  environment_info environment;
  std::string started_at;
  std::string executable;
  std::vector<std::string> warnings;
};

benchmark_context read_context(const json_reader& top) {
  benchmark_context c;
  c.environment.perfcheck_version = perfcheck::version;
  const auto context = top.optional_object("context");
  if (!context) return c;
  c.environment.hostname = context->optional_string("host_name").value_or("");
  c.environment.cpu_count = static_cast<int>(context->optional_int("num_cpus", 0, 1 << 20).value_or(0));
  c.executable = context->optional_string("executable").value_or("");
  if (const auto date = context->optional_string("date")) c.started_at = utc_from_benchmark_date(*date);
  if (context->optional_bool("cpu_scaling_enabled").value_or(false)) {
    c.warnings.emplace_back(
        "CPU frequency scaling was enabled while the benchmarks ran (Google Benchmark's "
        "cpu_scaling_enabled); times may drift; set the 'performance' governor before measuring");
  }
  if (context->optional_string("library_build_type").value_or("") == "debug") {
    c.warnings.emplace_back(
        "the Google Benchmark library was a debug build (library_build_type); its timing loop "
        "costs more than in a release build; link a release build of libbenchmark");
  }
  return c;
}

using repetition = google_benchmark_run;

// The members of an iteration entry that Google Benchmark itself writes; any other number is a
// user counter.
bool is_benchmark_field(std::string_view key) {
  static const std::set<std::string_view> fields{
      "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
      "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit", "error_occurred",
      "error_message", "skipped", "skip_message", "label", "aggregate_name", "aggregate_unit", "big_o",
      "rms", "complexity", "manual_time"};
  return fields.contains(key);
}

// The entry's iterations and user counters.
void read_counts(const boost::json::value& value, const json_reader& e, repetition& r) {
  r.iterations = e.optional_number("iterations").value_or(0);
  for (const auto& member : value.as_object()) {
    const std::string_view key(member.key().data(), member.key().size());
    if (is_benchmark_field(key) || !member.value().is_number()) continue;
    const double v = member.value().to_number<double>();
    if (!std::isfinite(v)) e.fail(key, "is not a finite number; a counter must be one");
    r.counters.emplace(std::string(key), v);
  }
}

double time_field(const json_reader& e, std::string_view key, double scale) {
  const auto value = e.optional_number(key);
  if (!value) e.fail(key, "missing; Google Benchmark writes the time per iteration here");
  if (!std::isfinite(*value) || *value < 0) {
    e.fail(key, fmt::format("{} is not a time; expected a finite number of at least 0", *value));
  }
  const double ns = *value * scale;
  if (!std::isfinite(ns) || ns > 1e18) {
    e.fail(key, fmt::format("{} is out of range (over 10^18 ns); check the file", *value));
  }
  return ns;
}

// Reads entry i; nullopt for an aggregate.
std::optional<repetition> read_entry(const boost::json::value& value, std::string_view origin, std::size_t i) {
  const json_reader e(value, std::string(origin), fmt::format("benchmarks[{}]", i));
  const std::string name = e.required_string("name");
  std::string run_type;
  if (const auto t = e.optional_string("run_type")) {
    run_type = *t;
    if (run_type != "iteration" && run_type != "aggregate") {
      e.fail("run_type", fmt::format("'{}' is not a run type; expected 'iteration' or 'aggregate'", run_type));
    }
  } else {
    // Before Google Benchmark 1.5 there was no run_type; aggregates had an aggregate_name.
    run_type = e.has("aggregate_name") ? "aggregate" : "iteration";
  }
  if (run_type == "aggregate") return std::nullopt;

  repetition r;
  r.run_name = e.optional_string("run_name").value_or(name);
  if (r.run_name.empty()) e.fail("run_name", "is empty; expected the benchmark's name");
  const auto repetitions = e.optional_int("repetitions", 1, 100'000'000);
  r.index = e.optional_int("repetition_index", 0, repetitions ? *repetitions - 1 : 100'000'000);
  if (e.optional_bool("error_occurred").value_or(false)) {
    r.failed = true;
    r.message = e.optional_string("error_message").value_or("an error (no message)");
  } else if (e.optional_bool("skipped").value_or(false)) {
    r.failed = true;
    r.message = "skipped: " + e.optional_string("skip_message").value_or("(no message)");
  }
  const auto unit = e.optional_string("time_unit");
  if (!unit) e.fail("time_unit", fmt::format("missing; expected one of {}", allowed_time_units));
  const auto scale = ns_per_unit(*unit);
  if (!scale) {
    e.fail("time_unit", fmt::format("'{}' is not a Google Benchmark time unit; expected one of {}",
                                    *unit, allowed_time_units));
  }
  if (!r.failed) {
    r.real_ns = time_field(e, "real_time", *scale);
    r.cpu_ns = time_field(e, "cpu_time", *scale);
    read_counts(value, e, r);
  }
  return r;
}

}  // namespace

bool is_google_benchmark(const boost::json::value& json) {
  const auto* object = json.if_object();
  return object != nullptr && object->contains("benchmarks") && !object->contains("schema");
}

namespace {

// One benchmark's repetitions, in file order, and the repetition indexes seen.
struct repetition_group {
  std::vector<repetition> reps;
  std::set<std::int64_t> indexes;
};

// The entries grouped by run name, in the order the names first appear.
std::vector<std::pair<std::string, repetition_group>> group_entries(const boost::json::array& entries,
                                                                    std::string_view origin) {
  std::vector<std::pair<std::string, repetition_group>> groups;
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto rep = read_entry(entries[i], origin, i);
    if (!rep) continue;
    auto [it, added] = position.try_emplace(rep->run_name, groups.size());
    if (added) groups.emplace_back(rep->run_name, repetition_group{});
    repetition_group& g = groups[it->second].second;
    if (rep->index && !g.indexes.insert(*rep->index).second) {
      throw usage_error(fmt::format(
          "{}: field 'benchmarks[{}].repetition_index': repetition {} of '{}' appears twice; the "
          "file seems to join two runs of the benchmark; keep one run per file",
          origin, i, *rep->index, rep->run_name));
    }
    g.reps.push_back(std::move(*rep));
  }
  return groups;
}

// One benchmark as a result: a run per repetition, failed repetitions as reasons.
ingested_benchmark to_result(const std::string& name, const repetition_group& g,
                             const benchmark_context& context, std::string_view origin) {
  ingested_benchmark b;
  run_result& r = b.result;
  r.name = name;
  r.command = {context.executable.empty() ? std::string(origin) : context.executable};
  r.environment = context.environment;
  r.started_at = r.finished_at = context.started_at;
  r.warnings = context.warnings;
  auto& wall = b.columns["wall"];
  auto& cpu = b.columns["cpu"];
  std::size_t failed = 0;
  for (std::size_t k = 0; k < g.reps.size(); ++k) {
    const repetition& rep = g.reps[k];
    if (rep.failed) {
      if (failed++ == 0) {
        r.reasons.push_back(fmt::format("repetition {} failed: {}", rep.index.value_or(static_cast<std::int64_t>(k)), rep.message));
      }
      continue;
    }
    wall.push_back(rep.real_ns);
    cpu.push_back(rep.cpu_ns);
    run_sample s;
    s.wall_ns = std::llround(rep.real_ns);
    s.user_ns = std::llround(rep.cpu_ns);  // Google Benchmark does not split user and system time
    s.exit_code = 0;
    r.runs.push_back(s);
  }
  if (failed > 0) {
    r.outcome = verdict::error;
    if (failed > 1) r.reasons.push_back(fmt::format("{} of {} repetitions failed", failed, g.reps.size()));
  }
  if (!wall.empty() && stats::median(wall) < 1000) {
    r.warnings.push_back(fmt::format(
        "{:.3g} ns per iteration: the runs list holds whole nanoseconds; comparisons use the "
        "exact times", stats::median(wall)));
  }
  r.summary["wall"] = stats::summarize(wall);
  r.summary["cpu"] = stats::summarize(cpu);
  r.summary["user"] = stats::summarize(cpu);
  r.wall_outliers = stats::outliers_modified_z(wall);
  return b;
}

}  // namespace

std::vector<ingested_benchmark> read_google_benchmark(const boost::json::value& json,
                                                      std::string_view origin) {
  const json_reader top(json, std::string(origin));
  const auto* list = json.as_object().if_contains("benchmarks");
  if (list == nullptr) {
    top.fail("benchmarks", "missing; this is not Google Benchmark JSON output (write it with "
                           "--benchmark_format=json or --benchmark_out=FILE)");
  }
  if (!list->is_array()) {
    top.fail("benchmarks", fmt::format("expected an array of benchmark entries, got {}",
                                       boost::json::serialize(*list).substr(0, 40)));
  }
  const benchmark_context context = read_context(top);
  const auto groups = group_entries(list->get_array(), origin);
  if (groups.empty()) {
    top.fail("benchmarks",
             list->get_array().empty()
                 ? "is empty; no benchmark ran (check --benchmark_filter)"
                 : "has only aggregates (mean, median, ...), no repetitions (run_type 'iteration'); "
                   "run the benchmark without --benchmark_report_aggregates_only");
  }
  std::vector<ingested_benchmark> out;
  for (const auto& [name, g] : groups) out.push_back(to_result(name, g, context, origin));
  return out;
}

bool is_google_benchmark_command(const std::vector<std::string>& command) {
  bool json = false;
  for (std::size_t i = 1; i < command.size(); ++i) {
    const std::string_view arg = command[i];
    if (arg == google_benchmark_json_flag) json = true;
    if (arg.starts_with("--benchmark_out=") || arg == "--benchmark_out") return false;
  }
  return json;
}

std::vector<google_benchmark_run> read_google_benchmark_runs(const boost::json::value& json, std::string_view origin) {
  const json_reader top(json, std::string(origin));
  const auto* list = json.is_object() ? json.as_object().if_contains("benchmarks") : nullptr;
  if (list == nullptr || !list->is_array()) {
    top.fail("benchmarks", "missing or not an array; this is not Google Benchmark JSON output (write it with "
                           "--benchmark_out=FILE --benchmark_out_format=json)");
  }
  std::vector<google_benchmark_run> runs;
  const auto& entries = list->get_array();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (auto rep = read_entry(entries[i], origin, i)) runs.push_back(std::move(*rep));
  }
  return runs;
}

std::vector<ingested_benchmark> read_google_benchmark_file(const std::filesystem::path& path) {
  return read_google_benchmark(read_json_file(path), path.string());
}

}  // namespace perfcheck::ingest
