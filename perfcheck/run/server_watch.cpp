// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/server_watch.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "perfcheck/exec/tree_usage.hpp"
#include "perfcheck/run/soak.hpp"

namespace perfcheck::run {
namespace {

// The readings of one run: a thread samples until the run ends.
class sampling_window {
 public:
  sampling_window(pid_t root, std::int64_t interval_ns) : root_(root), interval_(interval_ns) {
    take(exec::read_tree_usage(root_));
    thread_ = std::thread([this] { loop(); });
  }
  sampling_window(const sampling_window&) = delete;
  sampling_window& operator=(const sampling_window&) = delete;
  ~sampling_window() { stop(); }

  // Stops sampling, takes a last reading, and adds the figures to `sample`.
  void finish(run_sample& sample) {
    stop();
    take(exec::read_tree_usage(root_));
    if (readings_.empty()) return;  // the tree was gone all along: no figures
    std::vector<double> rss, threads;
    for (const auto& r : readings_) {
      rss.push_back(double(r.rss_bytes));
      threads.push_back(double(r.threads));
    }
    const double cpu = double(std::max<std::int64_t>(0, readings_.back().cpu_ns - readings_.front().cpu_ns));
    sample.reported[server_rss] = {unit_kind::size, false, false, rss};
    sample.reported[server_threads] = {unit_kind::count, false, false, threads};
    sample.reported[server_cpu] = {unit_kind::duration, false, false, {cpu}};
  }

 private:
  void take(const exec::tree_usage& u) {
    if (u.processes == 0) return;
    std::lock_guard lock(mutex_);
    readings_.push_back(u);
  }
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (wake_.wait_for(lock, std::chrono::nanoseconds(interval_), [this] { return stopping_; })) break;
      lock.unlock();
      const exec::tree_usage u = exec::read_tree_usage(root_);
      lock.lock();
      if (u.processes > 0) readings_.push_back(u);
    }
  }
  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  pid_t root_;
  std::int64_t interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<exec::tree_usage> readings_;
  std::thread thread_;
};

class server_watched_executor final : public exec::executor {
 public:
  server_watched_executor(std::unique_ptr<exec::executor> inner, pid_t root, std::int64_t interval_ns)
      : inner_(std::move(inner)), root_(root), interval_(std::max<std::int64_t>(interval_ns, 1'000'000)) {}
  exec::run_report run(const exec::output_capture& capture) override {
    sampling_window window(root_, interval_);
    exec::run_report r = inner_->run(capture);
    window.finish(r.sample);
    return r;
  }
  exec::round_report run_round(const exec::output_capture& capture, int copies) override {
    sampling_window window(root_, interval_);
    exec::round_report round = inner_->run_round(capture, copies);
    run_sample figures;
    window.finish(figures);
    for (auto& copy : round.copies) copy.sample.reported.insert(figures.reported.begin(), figures.reported.end());
    return round;
  }
  // expect_follow_up is not passed on: a pipelined run would start before its window opens.

 private:
  std::unique_ptr<exec::executor> inner_;
  pid_t root_;
  std::int64_t interval_;
};

// Server trends need this many points, as the soak's own (soak.cpp).
constexpr std::size_t min_points = 8;
constexpr double once_warmup_fraction = 0.2;

void add_trend(run_result& result, const char* metric, std::vector<double> x, std::vector<double> y) {
  if (y.size() >= min_points) result.trends[metric] = fit_trend(std::move(x), std::move(y));
}

}  // namespace

void add_server_per_request(run_sample& sample) {
  const auto rss = sample.reported.find(server_rss);
  const auto requests = sample.reported.find("requests");
  if (rss == sample.reported.end() || requests == sample.reported.end() || requests->second.values.empty()) return;
  const auto& v = requests->second.values;
  const double count = requests->second.counter ? std::accumulate(v.begin(), v.end(), 0.0) : v.back();
  const auto& r = rss->second.values;
  if (count > 0 && !r.empty()) {
    sample.reported[server_rss_per_request] = {unit_kind::size, false, false, {(r.back() - r.front()) / count}};
  }
}

std::unique_ptr<exec::executor> with_server_watch(std::unique_ptr<exec::executor> inner, pid_t supervisor,
                                                  std::int64_t interval_ns) {
  return std::make_unique<server_watched_executor>(std::move(inner), supervisor, interval_ns);
}

void analyze_server_soak(run_result& result, bool once) {
  if (result.runs.empty() || !result.runs.front().reported.contains(server_rss)) return;
  for (const char* metric : {server_rss, server_threads}) {
    std::vector<double> x, y;
    if (once) {
      const auto& values = result.runs.front().reported.at(metric).values;
      const double step = double(result.runs.front().wall_ns) / double(std::max<std::size_t>(values.size() - 1, 1));
      for (std::size_t i = std::size_t(once_warmup_fraction * double(values.size())); i < values.size(); ++i) {
        x.push_back(double(i) * step);
        y.push_back(values[i]);
      }
    } else {
      double at = 0;
      for (const auto& run : result.runs) {
        const auto it = run.reported.find(metric);
        if (it == run.reported.end() || it->second.values.empty()) return;
        x.push_back(at);
        y.push_back(*std::max_element(it->second.values.begin(), it->second.values.end()));
        at += double(run.wall_ns);
      }
    }
    add_trend(result, metric, std::move(x), std::move(y));
  }
}

}  // namespace perfcheck::run
