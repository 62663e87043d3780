// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The metric table of the threshold grammar (model/threshold.cpp): every built-in metric a
// threshold may name, its unit and its description (threshold_grammar_help lists them), by
// the form it is written in. Included by threshold.cpp only.
#pragma once

#include <array>
#include <string_view>

#include "perfcheck/model/threshold.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::threshold_metrics {

struct metric_def {
  std::string_view name;
  unit_kind kind;
  std::string_view description;
};

// Metrics with the usual statistics (metric_summary::get).
inline constexpr std::array summarized_metrics{
    metric_def{"wall", unit_kind::duration, "elapsed time per run"},
    metric_def{"user", unit_kind::duration, "user CPU time per run"},
    metric_def{"sys", unit_kind::duration, "system CPU time per run"},
    metric_def{"cpu", unit_kind::duration, "user + system CPU time per run"},
    metric_def{"rss", unit_kind::size, "peak resident memory per run"},
    metric_def{"throughput", unit_kind::rate, "completed copies per second of a round (CONCURRENCY); responses per second (LOAD)"},
    metric_def{"latency", unit_kind::duration, "from each request's intended start to its response (LOAD)"},
    metric_def{"service", unit_kind::duration, "from each request's send to its response (LOAD)"},
    metric_def{"lag", unit_kind::duration, "how late the load generator made each start (LOAD, open model)"},
    metric_def{"response_bytes", unit_kind::size, "body bytes of each response (LOAD)"},
    metric_def{"capacity", unit_kind::rate, "the highest rate a capacity search held (LOAD --capacity; bare: capacity >= 500/s)"},
};

// Per-run counters of the process tree, summarized like the metrics above; written bare
// ("io.read_bytes < 1MiB": the worst run, i.e. the max) or with a statistic
// ("faults.minor.median < 1000").
inline constexpr std::array tree_metrics{
    metric_def{"io.read_bytes", unit_kind::size, "bytes read from storage"},
    metric_def{"io.write_bytes", unit_kind::size, "bytes written to storage"},
    metric_def{"io.read_chars", unit_kind::size, "bytes returned by read calls"},
    metric_def{"io.write_chars", unit_kind::size, "bytes passed to write calls"},
    metric_def{"ctx.voluntary", unit_kind::count, "voluntary context switches"},
    metric_def{"ctx.involuntary", unit_kind::count, "involuntary context switches"},
    metric_def{"faults.major", unit_kind::count, "page faults that needed I/O"},
    metric_def{"faults.minor", unit_kind::count, "page faults served from memory"},
    metric_def{"leaked.processes", unit_kind::count, "processes left running by the command"},
    metric_def{"threads", unit_kind::count, "most threads of the tree in one sample (runs the sampler saw)"},
    metric_def{"instructions", unit_kind::count, "instructions the tree executed (COUNT instructions)"},
    metric_def{"rss.total", unit_kind::size, "peak summed memory of a round's copies at once (CONCURRENCY)"},
    metric_def{"dropped", unit_kind::count, "open-model starts that found no free connection in time (LOAD)"},
};

// Per-run ratios with the usual statistics, written as percentages ("cpu.util.median > 150%").
inline constexpr std::array percent_metrics{
    metric_def{"cpu.util", unit_kind::count, "CPU time of the tree over wall time (100% is one CPU busy)"},
    metric_def{"efficiency", unit_kind::count, "throughput at N copies over N x the throughput at 1 (CONCURRENCY; bare: the median)"},
};

// Whole-test counts written as "<metric>.<name>".
inline constexpr std::array counters{
    metric_def{"exit.failures", unit_kind::count, "measured runs that exited non-zero or crashed"},
    metric_def{"errors.count", unit_kind::count, "copies that failed, crashed or hit a limit (CONCURRENCY); failed requests (LOAD)"},
    metric_def{"errors.rate", unit_kind::count, "errors.count over the copies run, a percentage (CONCURRENCY); over the requests (LOAD)"},
    metric_def{"errors.connect", unit_kind::count, "requests that found no connection (LOAD)"},
    metric_def{"errors.timeout", unit_kind::count, "requests without a full response in time (LOAD)"},
    metric_def{"errors.status", unit_kind::count, "responses with another status than expected (LOAD)"},
    metric_def{"errors.body", unit_kind::count, "responses whose body lacks the expected text or is outside the expected size (LOAD)"},
    metric_def{"errors.io", unit_kind::count, "requests whose connection broke or got no HTTP answer (LOAD)"},
};

// A load client's figures, one per run (CLIENT wrk; docs/servers.md): bare ("latency.p99 < 20ms")
// the median over the runs, latency.max the worst run; or with a statistic ("latency.p99.max").
inline constexpr std::array load_metrics{
    metric_def{"latency.p50", unit_kind::duration, "median request latency (wrk --latency)"},
    metric_def{"latency.p75", unit_kind::duration, "75th percentile of request latency (wrk --latency)"},
    metric_def{"latency.p90", unit_kind::duration, "90th percentile of request latency (wrk --latency)"},
    metric_def{"latency.p99", unit_kind::duration, "99th percentile of request latency (wrk --latency)"},
    metric_def{"latency.max", unit_kind::duration, "slowest request"},
    metric_def{"latency.mean", unit_kind::duration, "mean request latency"},
    metric_def{"requests", unit_kind::count, "responses received"},
    metric_def{"transfer", unit_kind::size, "bytes read"},
};

// The metrics only a concurrency test measures (by their threshold_expr::metric).
inline constexpr std::array<std::string_view, 5> concurrency_only{"throughput", "rss.total", "efficiency", "errors.count",
                                                           "errors.rate"};

// Trends across a soak (--duration), 0 unless the Mann-Kendall test finds one.
struct trend_def {
  std::string_view name;     // as written
  std::string_view metric;   // the key of run_result::trends
  std::string_view what;     // "growth", "slope", "drift"
  value_form form;
  std::string_view description;
};
inline constexpr std::array trend_gates{
    trend_def{"rss.growth", "rss", "growth", value_form::percent, "tree memory growth over a soak, after warm-up"},
    trend_def{"rss.slope", "rss", "slope", value_form::size_per_time, "tree memory growth rate over a soak"},
    trend_def{"wall.drift", "wall", "drift", value_form::percent, "change of run time across a soak"},
    trend_def{"threads.growth", "threads", "growth", value_form::percent, "thread count growth over a soak (a thread leak)"},
    trend_def{"server.rss.growth", "server.rss", "growth", value_form::percent, "memory growth of the test's SERVER over a soak"},
    trend_def{"server.threads.growth", "server.threads", "growth", value_form::percent, "thread count growth of the test's SERVER over a soak"},
};

}  // namespace perfcheck::threshold_metrics
