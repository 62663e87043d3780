// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/metric_intake.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

namespace perfcheck::run {
namespace {

// "a duration", "a percentage", "a counter": how a reported name was written.
std::string shape_words(const reported_shape& s) {
  if (s.counter) return "a counter ('+N')";
  if (s.percent) return "a percentage";
  return fmt::format("a {}", to_string(s.kind));
}

std::string run_label(bool warmup, int index) {
  return fmt::format("{} {}", warmup ? "warm-up run" : "run", index);
}

}  // namespace

void metric_intake::take(const std::filesystem::path& path, bool warmup, int index, run_sample& sample) {
  if (path.empty()) return;
  const std::string label = run_label(warmup, index);
  ingest::channel_contents channel;
  try {
    channel = ingest::read_channel_file(path);
  } catch (const std::system_error& e) {  // the run's other figures still count
    if (unreadable_.size() < 3) unreadable_.push_back(fmt::format("{}: {}", label, e.what()));
  }
  std::error_code ignored;  // already read; a file left behind goes with the executor's folder
  std::filesystem::remove_all(path, ignored);
  if (channel.malformed > 0 && malformed_ == 0) first_malformed_ = label + ": " + channel.first_malformed;
  malformed_ += channel.malformed;
  if (channel.truncated && limited_runs_++ < 3) limits_.push_back(label + ": " + channel.truncation);
  for (auto& [key, value] : channel.meta) meta_.try_emplace(key, value);
  for (auto it = channel.metrics.begin(); it != channel.metrics.end();) {
    const reported_shape shape{it->second.kind, it->second.percent, it->second.counter, false};
    const auto [first, fresh] = first_shape_.try_emplace(it->first, shape);
    if (fresh || first->second == shape) {
      ++it;
      continue;
    }
    if (unit_changes_.size() < 3) {
      unit_changes_.push_back(fmt::format("'{}' was reported as {} in an earlier run but as {} in {}", it->first,
                                          shape_words(first->second), shape_words(shape), label));
    }
    it = channel.metrics.erase(it);
  }
  // Beside what the executor measured (the server.* metrics, a gbench run's JSON), which stays
  // first; the channel may not use the server's names.
  sample.reported.merge(channel.metrics);
}

void metric_intake::finish(run_result& result, const std::map<std::string, std::string>& declared) const {
  auto& w = result.warnings;
  if (malformed_ > 0) {
    w.push_back(fmt::format("the metric channel had {} malformed line{}, skipped; the first: {}. Lines read "
                            "'<name> <value> [unit]', '<name> +<n>' or '#meta key=value' (docs/metrics.md)",
                            malformed_, malformed_ == 1 ? "" : "s", first_malformed_));
  }
  for (const auto& unreadable : unreadable_)
    w.push_back(fmt::format("the metric channel could not be read ({}); that run reported nothing", unreadable));
  for (const auto& limit : limits_) {
    w.push_back(fmt::format("the metric channel was cut off ({}): the rest was not read; report fewer values "
                            "(aggregate in the program, or report a sample of the operations)", limit));
  }
  if (limited_runs_ > limits_.size()) {
    w.push_back(fmt::format("the metric channel was cut short in {} more runs", limited_runs_ - limits_.size()));
  }
  for (const auto& change : unit_changes_) {
    w.push_back(fmt::format("the metric channel: {}; a name keeps one kind of unit, so those values were "
                            "ignored and the metric is not measured", change));
  }
  const auto shapes = reported_shapes(result.runs);
  for (const auto& [name, shape] : first_shape_) {
    if (shapes.contains(name) || result.runs.empty()) continue;
    const auto runs = std::count_if(result.runs.begin(), result.runs.end(),
                                    [&](const run_sample& s) { return s.reported.contains(name); });
    w.push_back(fmt::format("the metric '{}' was reported in {} of {} measured runs; a metric is measured only "
                            "when every run reports it, so gates on it are not measured",
                            name, runs, result.runs.size()));
  }
  result.metadata = declared;
  for (const auto& [key, value] : meta_) result.metadata.try_emplace(key, value);
}

}  // namespace perfcheck::run
