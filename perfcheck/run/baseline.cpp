// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/run/baseline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "perfcheck/exec/instruction_count.hpp"
#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/model/baseline_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::run {
namespace {

// The value of an environment variable, or `fallback` when it is unset or empty.
std::string environment_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::string(fallback);
}

// Robust spread of log medians between the pooled sessions: 1.4826 * MAD of log(median),
// a consistent estimate of the between-session standard deviation under normality. Fewer
// than three sessions say nothing about it: 0.
double between_session_cv(store::history_store& history, const run_spec& spec,
                          const run_context& context, const std::string& metric,
                          const std::string& at, const std::vector<std::string>& keys) {
  if (keys.size() < 3) return 0;
  const std::set<std::string> wanted(keys.begin(), keys.end());
  std::vector<double> log_medians;
  for (const auto& point : history.series({.name = spec.name, .spec_hash = context.spec_hash,
                                           .machine = context.machine, .metrics = {metric},
                                           .level = at})) {
    if (!wanted.contains(point.key)) continue;
    const auto it = point.summary.find(metric);
    if (it != point.summary.end() && it->second.median > 0) log_medians.push_back(std::log(it->second.median));
  }
  if (log_medians.size() < 3) return 0;
  return stats::mad_to_sigma * stats::mad(log_medians);
}

// The baseline command: the same limits, sampling and isolation as the candidate; only the
// program differs.
void use_command(const run_spec& spec, prepared_regression& out) {
  exec::command_line line = exec::command_line_for(spec);
  line.argv = spec.baseline_command;
  out.baseline_executor = exec::make_counted_executor(line, exec::count_choice_for(spec));
  out.plan.baseline_executor = out.baseline_executor.get();
  out.plan.baseline.source = fmt::format("{}", fmt::join(spec.baseline_command, " "));
  out.plan.baseline.sessions = 1;
}

using count_hash_fn = std::function<std::string(const std::string&)>;

// The other source whose spec hash is `hash`, or "" (docs/instructions.md).
std::string other_source(const run_spec& spec, const count_hash_fn* count_hash, const std::string& hash) {
  if (spec.count.empty() || count_hash == nullptr) return {};
  for (const std::string source : {"perf", "valgrind"}) {
    if (source != spec.count_source && (*count_hash)(source) == hash) return source;
  }
  return {};
}

std::string not_comparable_text(const run_spec& spec, const std::string& where, const std::string& other) {
  return fmt::format("the baseline in {} counted instructions with {}, this run with {}: counts of different sources "
                     "are not compared (valgrind counts what the hardware does not); the regression rules were not "
                     "checked. Accept a baseline counted here (it starts with this result), or set {}={}",
                     where, other, spec.count_source.empty() ? "none" : spec.count_source, "PERFCHECK_COUNT_SOURCE", other);
}

void use_file(const run_spec& spec, const run_context& context, const std::set<std::string>& metrics,
              const std::string& at, regression_plan& rp, const count_hash_fn* count_hash) {
  rp.baseline.source = spec.baseline_file;
  // No file yet is a new project's first run: like a test the file does not list, "no
  // baseline yet", so that there is a result for 'perfcheck baseline accept' to accept.
  std::error_code missing;
  if (!std::filesystem::exists(spec.baseline_file, missing)) return;
  const auto file = read_baseline_file(spec.baseline_file);
  const auto entry = file.tests.find(spec.name);
  if (entry == file.tests.end()) return;
  if (const auto other = other_source(spec, count_hash, entry->second.spec_hash); !other.empty()) {
    rp.not_comparable = not_comparable_text(spec, spec.baseline_file, other);
    return;
  }
  if (!entry->second.spec_hash.empty() && entry->second.spec_hash != context.spec_hash) {
    throw usage_error(fmt::format(
        "{}: the baseline of test '{}' was measured with another command or environment (spec "
        "hash {} here, {} in the file); accept a new baseline with 'perfcheck baseline accept'",
        spec.baseline_file, spec.name, context.spec_hash, entry->second.spec_hash));
  }
  // A sweep's level compares with the same level of the entry; a level the entry lacks (a
  // value added since it was accepted) has no baseline yet, like a test the file does not list.
  const std::vector<run_sample>* runs = &entry->second.runs;
  if (!at.empty() || !entry->second.points.empty()) {
    const auto point = entry->second.points.find(at);
    if (point == entry->second.points.end()) return;
    runs = &point->second;
  }
  auto columns = metric_columns(*runs);
  for (const auto& m : metrics) {
    if (columns.contains(m)) rp.baseline_columns[m] = std::move(columns[m]);
  }
  rp.baseline.sessions = 1;
}

void use_history(const run_spec& spec, const run_context& context, const std::set<std::string>& metrics,
                 const std::string& at, store::history_store* history, std::size_t sample_cap,
                 regression_plan& rp) {
  if (history == nullptr) {
    rp.baseline.source = "(no history: give --history or PERFCHECK_HISTORY)";
    return;
  }
  rp.baseline.source = history->location();
  std::size_t sessions = 0;
  for (const auto& m : metrics) {
    auto query = history_baseline_query(spec.name, context, m, sample_cap);
    query.level = at;
    auto pool = history->baseline(query);
    if (pool.samples.empty()) continue;
    sessions = std::max(sessions, pool.result_keys.size());
    rp.options.between_session_cv = std::max(
        rp.options.between_session_cv, between_session_cv(*history, spec, context, m, at, pool.result_keys));
    rp.baseline_columns[m] = std::move(pool.samples);
  }
  rp.baseline.sessions = sessions;
  rp.options.baseline_sessions = sessions;
}

// A history without a baseline for this source: one of another source is named, not compared.
void check_history_source(const run_spec& spec, const run_context& context, const std::string& at,
                          store::history_store* history, const count_hash_fn* count_hash, regression_plan& rp) {
  if (history == nullptr || spec.count.empty() || count_hash == nullptr || !rp.baseline_columns.empty()) return;
  for (const std::string source : {"perf", "valgrind"}) {
    if (source == spec.count_source) continue;
    run_context other = context;
    other.spec_hash = (*count_hash)(source);
    auto query = history_baseline_query(spec.name, other, "instructions", 1);
    query.level = at;
    if (history->baseline(query).samples.empty()) continue;
    rp.not_comparable = not_comparable_text(spec, history->location(), source);
    return;
  }
}

}  // namespace

store::baseline_query history_baseline_query(const std::string& name, const run_context& context,
                                             const std::string& metric, std::size_t sample_cap) {
  // The merge base is the checkout's: it cuts the baseline of that branch's results only.
  const std::string checkout_branch = environment_or("PERFCHECK_GIT_BRANCH", "");
  const bool own_merge_base = checkout_branch.empty() || checkout_branch == context.git_branch;
  return {.name = name,
          .spec_hash = context.spec_hash,
          .machine = context.machine,
          .git_branch = context.git_branch,
          .default_branch = environment_or(default_branch_variable, "main"),
          .merge_base = own_merge_base ? environment_or(merge_base_variable, "") : "",
          .metric = metric,
          .sample_cap = sample_cap};
}

std::optional<prepared_regression> prepare_regression(const test_plan& test,
                                                      const run_context& context,
                                                      store::history_store* history,
                                                      std::size_t sample_cap,
                                                      const count_hash_fn* count_hash) {
  if (test.regressions.empty()) return std::nullopt;
  prepared_regression out;
  out.plan.rules = test.regressions;
  out.plan.options.alpha = test.spec.alpha;
  out.plan.baseline.kind = to_string(test.baseline);
  std::set<std::string> metrics;
  for (const auto& r : test.regressions) metrics.insert(r.metric);
  const std::string at = to_string(test.at);  // a sweep's level: its own baseline point
  switch (test.baseline) {
    case baseline_kind::command: use_command(test.spec, out); break;
    case baseline_kind::file: use_file(test.spec, context, metrics, at, out.plan, count_hash); break;
    case baseline_kind::history:
      use_history(test.spec, context, metrics, at, history, sample_cap, out.plan);
      check_history_source(test.spec, context, at, history, count_hash, out.plan);
      break;
  }
  return out;
}

}  // namespace perfcheck::run
