// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The server under test as a report shows it (docs/servers.md, "Reports"): the server.* metrics
// of the current result's runs, sample by sample, and the time it took to be ready.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_model.hpp"

namespace perfcheck::reports {

/// What the report shows of the server a test named, from the current result: its runs'
/// reported server.rss, server.threads and server.cpu, and its metadata server.ready. The samples
/// carry no times (the watch records values only), so they are numbered in the order taken.
struct server_figures {
  std::vector<double> rss;      ///< bytes: every run's server.rss samples, runs in order
  std::vector<double> threads;  ///< every run's server.threads samples, runs in order
  /// Index into `rss` of each run's first sample, for the runs that have server.rss.
  std::vector<std::size_t> run_starts;
  std::optional<double> rss_max;      ///< bytes
  std::optional<double> threads_max;  ///< the most threads in one sample
  std::optional<double> cpu_ns;       ///< server.cpu summed over the runs: its CPU time during the test
  std::string ready_text;  ///< the metadata's server.ready as recorded ("212 ms"); "" when not recorded

  /// Whether there is anything to show.
  bool any() const { return rss_max || threads_max || cpu_ns || !ready_text.empty(); }
  bool operator==(const server_figures&) const = default;
};

/// The server figures of `test`'s current result (`current`, nullptr when it did not run): its
/// stored runs (`test.samples`) and its metadata. Empty without server metrics.
server_figures server_figures_of(const report_test& test, const report_result* current);

/// "Server: rss max 3.0 MiB, threads max 4, cpu 0.25 s, ready in 212 ms", with only the figures
/// that exist (ready as recorded); "" when none does.
std::string server_line(const server_figures& figures);

}  // namespace perfcheck::reports
