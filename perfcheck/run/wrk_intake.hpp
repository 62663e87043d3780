// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A wrk client's figures (CLIENT wrk, docs/servers.md): each run's wrk summary read from its
// stdout into the run's reported metrics, under the names the load metrics use (latency.p99,
// throughput, requests, errors.count, errors.rate, transfer), and the test's error figures.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "perfcheck/ingest/wrk_output.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/model/spec.hpp"

namespace perfcheck::run {

using ingest::wrk_client;
using ingest::wrk_metric_names;

/// Puts `report`'s figures into `sample.reported` (one value per name, wrk_metric_names).
void add_wrk_figures(const ingest::wrk_report& report, run_sample& sample);

/// Reads one run's wrk output into `sample.reported`. Throws command_error naming the test,
/// the run and the offending output (ingest::read_wrk_output's words), and `kept` when the
/// output was kept in a file, when it does not read as wrk's summary.
void take_wrk_output(std::string_view output, const std::string& test, const std::string& run,
                     const std::string& kept, run_sample& sample);

/// take_wrk_output for run `index` (warm-up or measured) of `spec`'s test, whose output is kept
/// under output_files_for(spec).
void take_wrk_output(std::string_view output, const run_spec& spec, bool warmup, int index, run_sample& sample);

/// The stdout of a run of a wrk client (the file the run's capture wrote, at most the output
/// limit), read before the output keeper moves it; nullopt when the test has no wrk client or
/// the run failed or hit a limit (the run loop reports those).
std::optional<std::string> wrk_output_of(const run_spec& spec, const run_sample& sample,
                                         const std::filesystem::path& stdout_path);

/// Replaces the per-run summaries of errors.count and errors.rate with the whole test's, the
/// form a concurrency level gives them: the failed requests of every measured run, and their
/// share of the requests attempted. Nothing when the runs carry no wrk figures.
void summarize_wrk_errors(run_result& result);

}  // namespace perfcheck::run
