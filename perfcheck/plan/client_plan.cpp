// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// CLIENT in a plan (docs/servers.md): the client named checked, and the load metrics a wrk
// client measures (latency.*, throughput, requests, errors.*, transfer) let through, mapped and
// checked against its command.
#include <algorithm>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/ingest/wrk_output.hpp"

namespace perfcheck::detail {
namespace {

bool is_wrk(const test_plan& plan) { return plan.spec.client == ingest::wrk_client; }

// Whether the command asks wrk for its latency distribution (--latency, -L).
bool asks_latency(const run_spec& spec) {
  return std::any_of(spec.command.begin() + (spec.command.empty() ? 0 : 1), spec.command.end(),
                     [](const std::string& a) { return a == "--latency" || a == "-L"; });
}

}  // namespace

void compile_client(const test_plan& plan, const spec_origin& origin, const std::string& where) {
  const run_spec& spec = plan.spec;
  const std::string place = origin.flags ? std::string("--client") : where + ": client";
  if (spec.client.empty()) return;
  if (!is_wrk(plan)) {
    throw usage_error(fmt::format("{}: '{}' is not a client perfcheck reads; the one it knows is wrk "
                                  "(another client reports through the metric channel, docs/metrics.md)",
                                  place, spec.client));
  }
  if (spec.show_output) {
    throw usage_error(fmt::format("{}: perfcheck reads wrk's output, so it cannot be shown as well; drop "
                                  "{} (the output is kept in the output folder)", place,
                                  origin.flags ? "--show-output" : "show_output"));
  }
  if (!spec.concurrency.empty()) {
    throw usage_error(fmt::format("{}: a wrk client is not run as concurrent copies; give wrk its "
                                  "connections (-c) instead of CONCURRENCY", place));
  }
}

std::optional<std::string> client_threshold_problem(const threshold_expr& t, const test_plan& plan,
                                                    const std::string& lhs) {
  if (is_wrk(plan)) {
    if (t.metric.starts_with("latency.p") && !asks_latency(plan.spec)) {
      return fmt::format("{} is read from wrk's latency distribution, which wrk prints only with "
                         "--latency; add --latency to the command", lhs);
    }
    if (is_load_metric(t) || is_concurrency_metric(t)) {
      const bool measured = is_load_metric(t) || t.metric == "throughput" || t.metric == "errors";
      if (measured) return std::string();
    }
    return std::nullopt;
  }
  if (!is_load_metric(t)) return std::nullopt;
  return fmt::format("{} is read from a load client's output; add CLIENT wrk (--client wrk) to a test "
                     "whose command is wrk, or drop the threshold", lhs);
}

void add_client_columns(test_plan& plan, std::map<std::string, std::vector<double>>& columns) {
  if (!is_wrk(plan)) return;
  for (const auto name : ingest::wrk_metric_names) columns.try_emplace(std::string(name));
  // "latency.p99 +10%" reads as the thresholds do: the per-run p99 compared by its median.
  for (auto& rule : plan.regressions) {
    if (rule.metric != "latency") continue;
    rule.metric = rule.statistic == "median" ? "latency.p50" : "latency." + rule.statistic;
    rule.statistic = "median";
  }
}

}  // namespace perfcheck::detail
