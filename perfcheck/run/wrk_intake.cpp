// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/wrk_intake.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/run/output_keeper.hpp"
#include "perfcheck/run/rounds.hpp"

namespace perfcheck::run {
namespace {

void put(run_sample& sample, std::string_view name, unit_kind kind, double value, bool percent = false) {
  sample.reported[std::string(name)] = reported_values{kind, percent, false, {value}};
}

}  // namespace

void add_wrk_figures(const ingest::wrk_report& r, run_sample& sample) {
  for (const int p : {50, 75, 90, 99}) {
    if (const auto it = r.latency_percentiles_ns.find(p); it != r.latency_percentiles_ns.end()) {
      put(sample, fmt::format("latency.p{}", p), unit_kind::duration, it->second);
    }
  }
  put(sample, "latency.max", unit_kind::duration, r.latency_max_ns);
  put(sample, "latency.mean", unit_kind::duration, r.latency_mean_ns);
  put(sample, "throughput", unit_kind::rate, r.requests_per_second);
  put(sample, "requests", unit_kind::count, static_cast<double>(r.requests));
  put(sample, "errors.count", unit_kind::count, static_cast<double>(r.errors()));
  put(sample, "errors.rate", unit_kind::count, r.error_rate(), true);
  put(sample, "transfer", unit_kind::size, r.bytes_read);
}

void take_wrk_output(std::string_view output, const std::string& test, const std::string& run,
                     const std::string& kept, run_sample& sample) {
  try {
    add_wrk_figures(ingest::read_wrk_output(output, fmt::format("wrk's output of {}", run)), sample);
  } catch (const usage_error& e) {
    throw command_error(fmt::format(
        "test '{}' (CLIENT wrk): {}{}; perfcheck reads the summary wrk prints (run wrk without a Lua "
        "script that replaces it, and with --latency for the percentiles)",
        test, e.what(), kept.empty() ? std::string() : fmt::format(" (the output is kept in {})", kept)));
  }
}

void take_wrk_output(std::string_view output, const run_spec& spec, bool warmup, int index, run_sample& sample) {
  take_wrk_output(output, spec.name, fmt::format("{} {}", warmup ? "warm-up run" : "run", index),
                  output_files_for(spec).last_stdout.string(), sample);
}

std::optional<std::string> wrk_output_of(const run_spec& spec, const run_sample& sample,
                                         const std::filesystem::path& stdout_path) {
  if (spec.client != wrk_client || sample.failed() || sample.stopped_by_limit()) return std::nullopt;
  std::ifstream in(stdout_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void summarize_wrk_errors(run_result& result) {
  double errors = 0, attempted = 0;
  for (const auto& s : result.runs) {
    const auto count = s.reported.find("errors.count");
    const auto rate = s.reported.find("errors.rate");
    const auto requests = s.reported.find("requests");
    if (count == s.reported.end() || rate == s.reported.end() || requests == s.reported.end()) return;
    const double e = count->second.values.front();
    errors += e;
    // The rate is errors over the requests attempted (responses plus requests that got none).
    attempted += e > 0 ? std::round(e / rate->second.values.front()) : requests->second.values.front();
  }
  if (result.runs.empty()) return;
  result.summary["errors.count"] = whole_level(errors, result.runs.size());
  result.summary["errors.rate"] = whole_level(attempted > 0 ? errors / attempted : 0.0, result.runs.size());
}

}  // namespace perfcheck::run
