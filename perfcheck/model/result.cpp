// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/result.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/reported_metrics.hpp"
#include "perfcheck/model/result_json.hpp"

namespace perfcheck {
namespace {

boost::json::value environment_to_json(const environment_info& e) {
  return {{"cpu_model", e.cpu_model},
          {"cpu_count", e.cpu_count},
          {"kernel", e.kernel},
          {"hostname", e.hostname},
          {"load_average_1m", e.load_average_1m},
          {"governor", e.governor.empty() ? boost::json::value(nullptr) : boost::json::value(e.governor)},
          {"perfcheck_version", e.perfcheck_version},
          {"build_type", e.build_type}};
}

environment_info environment_from_json(const json_reader& r) {
  environment_info e;
  e.cpu_model = r.optional_string("cpu_model").value_or("");
  e.cpu_count = static_cast<int>(r.optional_int("cpu_count", 0, 1 << 20).value_or(0));
  e.kernel = r.optional_string("kernel").value_or("");
  e.hostname = r.optional_string("hostname").value_or("");
  e.load_average_1m = r.optional_number("load_average_1m").value_or(0);
  if (r.has("governor")) {
    // null when it was not readable
    try {
      e.governor = r.optional_string("governor").value_or("");
    } catch (const usage_error&) {
      e.governor.clear();
    }
  }
  e.perfcheck_version = r.optional_string("perfcheck_version").value_or("");
  e.build_type = r.optional_string("build_type").value_or("");
  return e;
}

// Base units: sizes in bytes, durations in ns, counts plain; absent kinds are not written.
boost::json::value limits_to_json(const resource_limits& limits) {
  boost::json::object o;
  for (limit_kind k : all_limit_kinds) {
    if (limits.get(k) == 0) continue;
    o[limit_key(k)] = limits.get(k);
  }
  return o;
}

}  // namespace

std::map<std::string, std::vector<double>> metric_columns(const std::vector<run_sample>& runs) {
  std::map<std::string, std::vector<double>> out;
  auto& wall = out["wall"];
  auto& user = out["user"];
  auto& sys = out["sys"];
  auto& cpu = out["cpu"];
  auto& rss = out["rss"];
  for (const auto& s : runs) {
    wall.push_back(static_cast<double>(s.wall_ns));
    user.push_back(static_cast<double>(s.user_ns));
    sys.push_back(static_cast<double>(s.sys_ns));
    cpu.push_back(static_cast<double>(s.user_ns + s.sys_ns));
    rss.push_back(static_cast<double>(s.max_rss_bytes));
  }
  // Counters of the whole process tree (docs/result-format.md).
  const std::pair<const char*, std::int64_t run_sample::*> tree_columns[] = {
      {"rss_tree", &run_sample::rss_tree_bytes},
      {"io.read_bytes", &run_sample::io_read_bytes},
      {"io.write_bytes", &run_sample::io_write_bytes},
      {"io.read_chars", &run_sample::io_read_chars},
      {"io.write_chars", &run_sample::io_write_chars},
      {"ctx.voluntary", &run_sample::ctx_voluntary},
      {"ctx.involuntary", &run_sample::ctx_involuntary},
      {"faults.major", &run_sample::faults_major},
      {"faults.minor", &run_sample::faults_minor},
      {"leaked.processes", &run_sample::leaked_processes},
  };
  for (const auto& [name, member] : tree_columns) {
    auto& column = out[name];
    column.reserve(runs.size());
    for (const auto& s : runs) column.push_back(static_cast<double>(s.*member));
  }
  // CPU time of the tree over wall time: 1 is one CPU busy for the whole run.
  auto& util = out["cpu.util"];
  for (const auto& s : runs) {
    util.push_back(s.wall_ns > 0 ? static_cast<double>(s.user_ns + s.sys_ns) / static_cast<double>(s.wall_ns) : 0.0);
  }
  // Threads are counted by the sampler: only when every run took a sample (a run shorter than
  // the sampling interval takes none) is there a column, so no run reads as "0 threads". With
  // no runs the column is there (empty): the metric exists.
  const bool sampled = std::all_of(runs.begin(), runs.end(), [](const run_sample& s) {
    return s.threads_max > 0;
  });
  if (sampled) {
    auto& threads = out["threads"];
    for (const auto& s : runs) threads.push_back(static_cast<double>(s.threads_max));
  }
  // Instructions are counted only under COUNT instructions: a column only when every run has a
  // count, so an uncounted run never reads as 0 instructions.
  if (!runs.empty() && std::all_of(runs.begin(), runs.end(), [](const run_sample& s) { return s.instructions > 0; })) {
    auto& instructions = out["instructions"];
    for (const auto& s : runs) instructions.push_back(static_cast<double>(s.instructions));
  }
  add_reported_columns(out, runs);  // what the command reported itself (docs/metrics.md)
  return out;
}

bool is_expected_failure(const run_result& r) {
  return r.expected_failure &&
         (r.outcome == verdict::failed || r.outcome == verdict::regressed || r.outcome == verdict::error);
}

boost::json::value result_to_json(const run_result& r) {
  boost::json::object o;
  o["schema"] = result_schema;
  o["name"] = r.name;
  o["verdict"] = to_string(r.outcome);
  o["reasons"] = boost::json::value_from(r.reasons);
  o["warnings"] = boost::json::value_from(r.warnings);
  o["command"] = boost::json::value_from(r.command);
  o["runs"] = boost::json::value_from(r.runs);
  o["warmup_runs"] = boost::json::value_from(r.warmup_runs);
  boost::json::object summary;
  for (const auto& [metric, s] : r.summary) summary[metric] = boost::json::value_from(s);
  o["summary"] = std::move(summary);
  o["wall_outliers"] = boost::json::value_from(r.wall_outliers);
  if (!r.points.empty()) detail::write_points(r, o);
  boost::json::array thresholds;
  for (const auto& t : r.thresholds) thresholds.push_back(threshold_outcome_to_json(t));
  o["thresholds"] = std::move(thresholds);
  boost::json::array regressions;
  for (const auto& f : r.regressions) {
    boost::json::object finding{{"rule", f.rule}, {"metric", f.metric}, {"baseline_n", f.baseline_n},
                           {"candidate_n", f.candidate_n}, {"baseline_median", f.baseline_median},
                           {"candidate_median", f.candidate_median}, {"change", f.change},
                           {"ci_low", f.ci_low}, {"ci_high", f.ci_high}, {"p_value", f.p_value},
                           {"p_adjusted", f.p_adjusted}, {"decision", to_string(f.decision)},
                           {"reason", f.reason}, {"tolerance", f.tolerance},
                           {"confidence", f.confidence}, {"runs_to_decide", f.runs_to_decide}};
    if (!f.at.empty()) finding["at"] = f.at;
    regressions.push_back(std::move(finding));
  }
  o["regressions"] = std::move(regressions);
  if (r.baseline) {
    o["baseline"] = {{"kind", r.baseline->kind}, {"source", r.baseline->source},
                     {"runs", r.baseline->runs}, {"sessions", r.baseline->sessions},
                     {"order", r.baseline->order},
                     {"samples", boost::json::value_from(r.baseline->samples)}};
  } else {
    o["baseline"] = nullptr;
  }
  o["overhead_ns"] = r.overhead_ns;
  o["overhead_corrected"] = r.overhead_corrected;
  if (r.expected_failure) o["expected_failure"] = true;
  o["environment"] = environment_to_json(r.environment);
  o["context"] = {{"session_id", r.context.session_id},   {"git_commit", r.context.git_commit},
                  {"git_branch", r.context.git_branch},   {"machine", r.context.machine},
                  {"spec_hash", r.context.spec_hash},     {"compiler", r.context.compiler}};
  if (!r.metadata.empty()) o["metadata"] = boost::json::value_from(r.metadata);
  o["started_at"] = r.started_at;
  o["finished_at"] = r.finished_at;
  o["limits"] = limits_to_json(r.limits);
  o["trends"] = detail::trends_to_json(r.trends);
  if (r.profile) o["profile"] = profile_to_json(*r.profile);
  return o;
}

namespace {

// The limit of an older finding that did not store it: the rule's last word, "+5%" -> 0.05;
// 0 when it is not a percentage.
double tolerance_in(std::string_view rule) {
  const auto space = rule.find_last_of(" \t");
  std::string word(space == std::string_view::npos ? rule : rule.substr(space + 1));
  if (word.size() < 2 || word.back() != '%') return 0;
  word.pop_back();
  char* end = nullptr;
  const double value = std::strtod(word.c_str(), &end);
  return end == word.c_str() + word.size() && std::isfinite(value) ? value / 100 : 0;
}

}  // namespace

namespace detail {

void read_summaries(const json_reader& r, const boost::json::value& json,
                    std::map<std::string, metric_summary>& summaries, std::vector<std::size_t>& outliers) {
  if (auto summary = r.optional_object("summary")) {
    for (const auto& kv : json.as_object().at("summary").as_object()) {
      auto s = boost::json::try_value_to<metric_summary>(kv.value());
      if (!s) summary->fail(kv.key(), "is not a summary (n, min, max, mean, median, ...)");
      summaries.emplace(std::string(kv.key()), *s);
    }
  } else {
    r.fail("summary", "missing");
  }
  if (r.has("wall_outliers")) {
    for (const auto& e : json.as_object().at("wall_outliers").as_array()) {
      if (!e.is_int64() && !e.is_uint64()) r.fail("wall_outliers", "expected run indexes");
      outliers.push_back(static_cast<std::size_t>(e.to_number<std::int64_t>()));
    }
  }
}

}  // namespace detail

namespace {

// Threshold outcomes and regression findings: what the gates decided.
void read_gates(const json_reader& r, const boost::json::value& json, std::string_view origin, run_result& out) {
  const auto* thresholds = json.as_object().if_contains("thresholds");
  if (thresholds == nullptr || !thresholds->is_array()) r.fail("thresholds", "expected an array");
  for (std::size_t i = 0; i < thresholds->as_array().size(); ++i) {
    const json_reader t((*thresholds).as_array()[i], std::string(origin), fmt::format("thresholds[{}]", i));
    out.thresholds.push_back(threshold_outcome_from_json(t));
  }
  if (const auto* regs = json.as_object().if_contains("regressions"); regs != nullptr) {
    if (!regs->is_array()) r.fail("regressions", "expected an array");
    for (std::size_t i = 0; i < regs->as_array().size(); ++i) {
      const json_reader f(regs->as_array()[i], std::string(origin), fmt::format("regressions[{}]", i));
      regression_finding finding;
      finding.rule = f.required_string("rule");
      finding.metric = f.required_string("metric");
      finding.at = f.optional_string("at").value_or("");
      finding.baseline_n = static_cast<std::size_t>(f.optional_int("baseline_n", 0, INT64_MAX).value_or(0));
      finding.candidate_n = static_cast<std::size_t>(f.optional_int("candidate_n", 0, INT64_MAX).value_or(0));
      finding.baseline_median = f.optional_number("baseline_median").value_or(0);
      finding.candidate_median = f.optional_number("candidate_median").value_or(0);
      finding.change = f.optional_number("change").value_or(0);
      finding.ci_low = f.optional_number("ci_low").value_or(0);
      finding.ci_high = f.optional_number("ci_high").value_or(0);
      finding.p_value = f.optional_number("p_value").value_or(1);
      finding.p_adjusted = f.optional_number("p_adjusted").value_or(1);
      const std::string d = f.required_string("decision");
      const auto decision = verdict_from_string(d);
      if (!decision) f.fail("decision", fmt::format("'{}' is not a verdict", d));
      finding.decision = *decision;
      finding.reason = f.optional_string("reason").value_or("");
      finding.tolerance = f.optional_number("tolerance").value_or(tolerance_in(finding.rule));
      finding.confidence = f.optional_number("confidence").value_or(0);
      finding.runs_to_decide =
          static_cast<std::size_t>(f.optional_int("runs_to_decide", 0, INT64_MAX).value_or(0));
      out.regressions.push_back(std::move(finding));
    }
  }
}

// What the rules compared against, and the context the history compares results by.
void read_baseline_and_context(const json_reader& r, const boost::json::value& json, run_result& out) {
  if (const auto* bv = json.as_object().if_contains("baseline"); bv != nullptr && !bv->is_null()) {
    const auto b = r.optional_object("baseline");
    baseline_info info;
    info.kind = b->required_string("kind");
    info.source = b->optional_string("source").value_or("");
    info.runs = static_cast<std::size_t>(b->optional_int("runs", 0, INT64_MAX).value_or(0));
    info.sessions = static_cast<std::size_t>(b->optional_int("sessions", 0, INT64_MAX).value_or(0));
    info.order = b->optional_string("order").value_or("");
    if (b->has("samples")) {
      info.samples = detail::typed_array<run_sample>(*b, json.as_object().at("baseline"), "samples", "run");
    }
    out.baseline = std::move(info);
  }
  if (auto c = r.optional_object("context")) {
    out.context.session_id = c->optional_string("session_id").value_or("");
    out.context.git_commit = c->optional_string("git_commit").value_or("");
    out.context.git_branch = c->optional_string("git_branch").value_or("");
    out.context.machine = c->optional_string("machine").value_or("");
    out.context.spec_hash = c->optional_string("spec_hash").value_or("");
    out.context.compiler = c->optional_string("compiler").value_or("");
  }
}

// The limits every run was under, and the soak trends.
void read_limits_and_trends(const json_reader& r, const boost::json::value& json, run_result& out) {
  if (auto limits = r.optional_object("limits")) {
    for (limit_kind k : all_limit_kinds) {
      if (auto value = limits->optional_int(limit_key(k), 0, INT64_MAX)) out.limits.set(k, *value);
    }
  }
  detail::read_trends(r, json, "", out.trends);
}

}  // namespace

run_result result_from_json(const boost::json::value& json, std::string_view origin) {
  const json_reader r(json, std::string(origin));
  const std::string schema = r.required_string("schema");
  if (schema != result_schema) {
    r.fail("schema", fmt::format("'{}' is not a result this perfcheck reads; expected '{}'",
                                 schema, result_schema));
  }
  run_result out;
  out.name = r.required_string("name");
  const std::string v = r.required_string("verdict");
  auto parsed = verdict_from_string(v);
  if (!parsed) r.fail("verdict", fmt::format("'{}' is not a verdict", v));
  out.outcome = *parsed;
  out.reasons = r.string_array("reasons", true, false);
  out.warnings = r.string_array("warnings", false, false);
  out.command = r.string_array("command", true, true);
  out.runs = detail::typed_array<run_sample>(r, json, "runs", "run (wall_ns, user_ns, sys_ns, max_rss_bytes, exit_code, signal)");
  out.warmup_runs = detail::typed_array<run_sample>(r, json, "warmup_runs", "run");
  detail::read_summaries(r, json, out.summary, out.wall_outliers);
  detail::read_points(r, json, out);
  read_gates(r, json, origin, out);
  read_baseline_and_context(r, json, out);
  out.overhead_ns = r.optional_int("overhead_ns", 0, INT64_MAX).value_or(0);
  out.overhead_corrected = r.optional_bool("overhead_corrected").value_or(false);
  out.expected_failure = r.optional_bool("expected_failure").value_or(false);
  if (auto env = r.optional_object("environment")) out.environment = environment_from_json(*env);
  out.started_at = r.optional_string("started_at").value_or("");
  out.finished_at = r.optional_string("finished_at").value_or("");
  read_limits_and_trends(r, json, out);
  out.profile = detail::read_profile(r, json);
  if (const auto* meta = json.as_object().if_contains("metadata")) {
    if (!meta->is_object()) r.fail("metadata", "must be an object of key: string pairs");
    for (const auto& [key, value] : meta->get_object()) {
      if (!value.is_string()) r.fail("metadata", fmt::format("'{}' must be a string", std::string_view(key)));
      out.metadata.emplace(std::string(key), std::string(value.get_string()));
    }
  }
  return out;
}

}  // namespace perfcheck
