// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The server figures of a report row (docs/servers.md, "Reports").
#include "reports/server_view.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace perfcheck::reports {

namespace {

constexpr const char* rss_name = "server.rss";
constexpr const char* threads_name = "server.threads";
constexpr const char* cpu_name = "server.cpu";
constexpr const char* ready_name = "server.ready";

const std::vector<double>* values_of(const run_sample& run, const char* name) {
  const auto it = run.reported.find(name);
  return it == run.reported.end() || it->second.values.empty() ? nullptr : &it->second.values;
}

void raise(std::optional<double>& max, const std::vector<double>& values) {
  const double top = *std::max_element(values.begin(), values.end());
  max = max ? std::max(*max, top) : top;
}

}  // namespace

server_figures server_figures_of(const report_test& test, const report_result* current) {
  server_figures f;
  if (current == nullptr) return f;
  for (const auto& run : test.samples) {
    if (const auto* rss = values_of(run, rss_name)) {
      f.run_starts.push_back(f.rss.size());
      f.rss.insert(f.rss.end(), rss->begin(), rss->end());
      raise(f.rss_max, *rss);
    }
    if (const auto* threads = values_of(run, threads_name)) {
      f.threads.insert(f.threads.end(), threads->begin(), threads->end());
      raise(f.threads_max, *threads);
    }
    if (const auto* cpu = values_of(run, cpu_name)) f.cpu_ns = f.cpu_ns.value_or(0) + cpu->front();
  }
  // The time to ready as `perfcheck run` recorded it (format_duration: "212 ms", "1.50 s").
  if (const auto it = current->metadata.find(ready_name); it != current->metadata.end()) f.ready_text = it->second;
  return f;
}

std::string server_line(const server_figures& f) {
  std::vector<std::string> parts;
  if (f.rss_max) parts.push_back(fmt::format("rss max {:.1f} MiB", *f.rss_max / (1024.0 * 1024.0)));
  if (f.threads_max) parts.push_back(fmt::format("threads max {:.0f}", *f.threads_max));
  if (f.cpu_ns) parts.push_back(fmt::format("cpu {:.2f} s", *f.cpu_ns / 1e9));
  if (!f.ready_text.empty()) parts.push_back("ready in " + f.ready_text);
  if (parts.empty()) return "";
  return fmt::format("Server: {}", fmt::join(parts, ", "));
}

}  // namespace perfcheck::reports
