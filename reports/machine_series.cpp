// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/machine_series.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "reports/history_adapter.hpp"
#include "reports/template_engine.hpp"

namespace perfcheck::reports {

namespace {

// A legend name is at least this long (when the fingerprint is): 8 hex digits of a 16-digit
// fingerprint tell thousands of machine classes apart and still fit beside other names.
constexpr std::size_t min_label_length = 8;

// The shortest prefix of safe[i] (at least min_label_length) that no other name starts with;
// the whole name when another name starts with all of it.
std::size_t unique_prefix_length(const std::vector<std::string>& safe, std::size_t i) {
  const std::string& s = safe[i];
  std::size_t len = std::min(min_label_length, s.size());
  for (std::size_t j = 0; j < safe.size(); ++j) {
    if (j == i) continue;
    const std::string& o = safe[j];
    const auto common = static_cast<std::size_t>(
        std::mismatch(s.begin(), s.end(), o.begin(), o.end()).first - s.begin());
    len = std::max(len, std::min(common + 1, s.size()));
  }
  return len;
}

}  // namespace

std::vector<std::string> machine_labels(const std::vector<std::string>& fingerprints) {
  std::vector<std::string> safe;
  safe.reserve(fingerprints.size());
  for (const auto& f : fingerprints) safe.push_back(gnuplot_safe(f));
  std::vector<std::string> labels;
  labels.reserve(safe.size());
  for (std::size_t i = 0; i < safe.size(); ++i) {
    if (safe[i].empty()) {  // results recorded without a machine (an import without --machine)
      labels.emplace_back("(no fingerprint)");
      continue;
    }
    const std::size_t len = unique_prefix_length(safe, i);
    labels.push_back(len < safe[i].size() ? safe[i].substr(0, len) + "..." : safe[i]);
  }
  std::map<std::string, int> seen;
  for (auto& label : labels) {
    const int n = ++seen[label];
    if (n > 1) label += fmt::format(" ({})", n);
  }
  return labels;
}

bool own_machine_scope(std::string_view scope) { return scope.empty() || scope == "this"; }

namespace detail {

void read_machine_series(store::history_store& history, const store::stored_result& stored,
                         const std::vector<std::string>& keep, const std::string& level,
                         std::string_view scope, report_test& test) {
  const run_result& res = stored.result;
  const bool all = scope == "all";
  auto points = history.series({.name = res.name,
                                      .spec_hash = res.context.spec_hash,
                                      .machine = all ? std::string() : std::string(scope),
                                      .metrics = keep,
                                      .level = level});
  std::map<std::string, machine_history> by_machine;  // by raw fingerprint
  for (auto& p : points) {
    machine_history& m = by_machine[p.machine];
    if (p.key == stored.key) m.current = m.history.size();
    m.history.push_back(result_of(p, keep));  // takes p's strings, not its machine
  }
  test.machines.clear();
  const auto own = by_machine.find(res.context.machine);
  if (own != by_machine.end()) {
    own->second.machine = valid_utf8(own->first);
    test.machines.push_back(std::move(own->second));
    by_machine.erase(own);
  }
  for (auto& [fingerprint, m] : by_machine) {
    m.machine = valid_utf8(fingerprint);
    test.machines.push_back(std::move(m));
  }
  std::vector<std::string> fingerprints;
  for (const auto& m : test.machines) fingerprints.push_back(m.machine);
  const auto labels = machine_labels(fingerprints);
  for (std::size_t i = 0; i < labels.size(); ++i) test.machines[i].label = labels[i];
}

void check_machine_scope(store::history_store& history, const report_model& model) {
  const std::string& scope = model.machine_scope;
  if (own_machine_scope(scope) || scope == "all") return;
  for (const auto& test : model.tests) {
    if (!test.machines.empty()) return;
  }
  std::set<std::string> machines;
  history.each_result([&](const store::stored_result& r) { machines.insert(r.result.context.machine); });
  if (machines.contains(scope)) return;
  std::string list;
  for (const auto& m : machines) list += fmt::format("{}'{}'", list.empty() ? "" : ", ", valid_utf8(m));
  throw usage_error(fmt::format(
      "--machine {}: history {} has no result on machine '{}'; {}; give one of them, 'all' (one "
      "trend line per machine) or 'this' (the session's machine)",
      scope, history.location(), scope,
      machines.empty() ? std::string("it has no results") : "its machines are " + list));
}

}  // namespace detail

}  // namespace perfcheck::reports
