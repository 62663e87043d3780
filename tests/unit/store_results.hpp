// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Results for the store tests: every field set, so a history that drops or rounds one fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/threshold.hpp"

namespace store_results {

using namespace perfcheck;

struct result_options {
  std::string name = "parse";
  std::string started_at = "2026-01-01T10:00:00.000Z";
  std::string branch = "main";
  std::string machine = "m1";
  std::string spec_hash = "s1";
  std::string session = "sess-1";
  verdict outcome = verdict::pass;
  std::vector<std::int64_t> walls = {100, 110, 120};
  std::string commit = "abc123";
};

inline run_result make_result(const result_options& o) {
  run_result r;
  r.name = o.name;
  r.outcome = o.outcome;
  r.command = {"/bin/true", "--fast"};
  if (o.outcome != verdict::pass) r.reasons = {"wall.p95 < 1ms: measured 2ms"};
  r.warnings = {"very short runs"};
  for (auto w : o.walls) {
    run_sample s;
    s.wall_ns = w;
    s.user_ns = w / 2;
    s.sys_ns = w / 4;
    s.max_rss_bytes = 4096 + w;
    s.exit_code = 0;
    r.runs.push_back(s);
  }
  r.warmup_runs = {r.runs.front()};
  metric_summary m;
  m.n = o.walls.size();
  m.min = static_cast<double>(o.walls.front());
  m.median = static_cast<double>(o.walls[o.walls.size() / 2]);
  m.max = static_cast<double>(o.walls.back());
  // Boost.JSON 1.81's parser reads these one unit in the last place off; the history must not.
  m.mean = 1.0000000000000007;
  m.stddev = 11686.774362461327;
  r.summary["wall"] = m;
  r.summary["rss"] = m;
  r.thresholds = {{parse_threshold("wall.p95 < 1ms"), 120, true}};
  r.overhead_ns = 4321;
  r.environment.cpu_model = "Test CPU";
  r.environment.cpu_count = 2;
  r.environment.build_type = "Release";
  r.context.session_id = o.session;
  r.context.git_commit = o.commit;
  r.context.git_branch = o.branch;
  r.context.machine = o.machine;
  r.context.spec_hash = o.spec_hash;
  r.context.compiler = "GNU 12.2.0";
  r.started_at = o.started_at;
  r.finished_at = o.started_at.substr(0, 20) + "999Z";
  return r;
}

inline std::string minute(int m) { return fmt::format("2026-01-01T10:{:02}:00.000Z", m); }

}  // namespace store_results

using store_results::make_result;
using store_results::minute;
using store_results::result_options;
