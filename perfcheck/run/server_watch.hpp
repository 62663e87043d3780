// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The server under test measured while a test that names it runs (docs/servers.md): its whole
// tree sampled during every run, the figures recorded as the run's server.* metrics, and their
// trends across a soak.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>

#include "perfcheck/exec/executor.hpp"
#include "perfcheck/model/result.hpp"

namespace perfcheck::run {

/// The metrics each run of a test that names a server gets (reported_values of the run):
/// "server.rss" (bytes, every sample of the run: a distribution), "server.threads" (likewise),
/// "server.cpu" (ns, the tree's CPU time during the run); add_server_per_request adds
/// "server.rss.per_request" once the run's own metrics are read.
inline constexpr const char* server_rss = "server.rss";
inline constexpr const char* server_cpu = "server.cpu";
inline constexpr const char* server_threads = "server.threads";
inline constexpr const char* server_rss_per_request = "server.rss.per_request";

/// Wraps `inner` so that every run (and every round of copies) samples the descendants of
/// `supervisor` every `interval_ns` (at least 1 ms) from just before it starts to just after it
/// ends, and adds the server metrics to its sample (each copy of a round gets the round's).
std::unique_ptr<exec::executor> with_server_watch(std::unique_ptr<exec::executor> inner, pid_t supervisor,
                                                  std::int64_t interval_ns);

/// "server.rss.per_request" of a run with server metrics that reported `requests` (a value, or a
/// counter "requests +N": their sum) greater than 0: the growth of server.rss from the run's
/// first sample to its last over that count (bytes; negative when the server shrank).
void add_server_per_request(run_sample& sample);

/// After a soak, adds the trends "server.rss" and "server.threads": with `once`, over the
/// samples of the one run past its first 20%; otherwise over each run's largest sample. Nothing
/// when the runs carry no server metrics.
void analyze_server_soak(run_result& result, bool once);

}  // namespace perfcheck::run
