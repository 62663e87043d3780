// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The report that wrk (the HTTP benchmarking tool, Debian package `wrk`) prints at the end of
// a run, read into numbers, so that a team that drives its server with wrk can gate on it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace perfcheck::ingest {

/// The client name a spec gives for wrk (run_spec::client).
inline constexpr std::string_view wrk_client = "wrk";

/// The metrics a wrk client's run reports, by name: the latency figures in ns (the percentiles
/// only with wrk's --latency), throughput (responses per second), requests and errors.count
/// (counts), errors.rate (a fraction), transfer (bytes read).
inline constexpr std::array<std::string_view, 11> wrk_metric_names{
    "latency.p50", "latency.p75", "latency.p90", "latency.p99", "latency.max", "latency.mean",
    "throughput",  "requests",    "errors.count", "errors.rate", "transfer"};

/// wrk's figures of one run, in base units (ns, bytes, per second).
struct wrk_report {
  std::string url;                  ///< "Running 2s test @ <url>"
  int threads = 0, connections = 0;
  std::int64_t requests = 0;        ///< responses received ("N requests in T, S read")
  double duration_ns = 0;           ///< the run's wall time as wrk measured it
  double bytes_read = 0;            ///< wrk prints it rounded to 3 significant digits
  double latency_mean_ns = 0, latency_stdev_ns = 0, latency_max_ns = 0;
  /// With --latency: the percentiles wrk prints (50, 75, 90, 99), in ns. wrk times each
  /// request from when it was sent on its connection, so a server stall delays the requests
  /// behind it without counting against them (coordinated omission): its tail is optimistic.
  std::map<int, double> latency_percentiles_ns;
  double requests_per_second = 0;   ///< "Requests/sec"
  double bytes_per_second = 0;      ///< "Transfer/sec"
  std::int64_t connect_errors = 0, read_errors = 0, write_errors = 0, timeouts = 0;
  std::int64_t bad_status = 0;      ///< "Non-2xx or 3xx responses"

  /// Every failed request: socket errors, timeouts and responses with a bad status.
  std::int64_t errors() const { return connect_errors + read_errors + write_errors + timeouts + bad_status; }
  /// errors() over the requests attempted (the responses plus the requests that got none);
  /// 0 when nothing was attempted.
  double error_rate() const;
};

/// Reads wrk's output (stdout; lines a Lua script prints are skipped). Throws usage_error
/// naming `origin` and the line when a line wrk writes has a figure that does not read, when
/// the summary ("N requests in T, S read" and "Requests/sec") is missing, and with wrk's own
/// words when it could not connect at all ("unable to connect to ...").
wrk_report read_wrk_output(std::string_view text, std::string_view origin);

}  // namespace perfcheck::ingest
