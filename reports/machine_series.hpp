// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The trends of a fleet (`perfcheck report --machine all|FINGERPRINT`): each test's series per
// machine class (fingerprint), read through the history store, and their legend names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/store/history_store.hpp"
#include "reports/report_model.hpp"

namespace perfcheck::reports {

/// Legend names of machine fingerprints, in the given order: each fingerprint as the chart's
/// whitelist writes it (gnuplot_safe), cut to the shortest prefix of at least 8 characters that
/// tells it from every other one ("..." marks a cut); names that are still equal (fingerprints
/// that differ only in characters the whitelist replaces) get " (2)", " (3)", ... Fingerprints
/// of 8 characters or fewer stay whole; an empty one is "(no fingerprint)".
std::vector<std::string> machine_labels(const std::vector<std::string>& fingerprints);

/// Whether `scope` (a --machine value) is the default, the session's own machine: "" or "this".
bool own_machine_scope(std::string_view scope);

namespace detail {

/// Fills test.machines from the series of `stored`'s test and spec at `level` (every branch):
/// scope "all": one entry per machine class the history has for them, the session's own
/// (`stored`'s) first, the others by fingerprint; any other scope: the machine of that
/// fingerprint, when it has results of the test. Keeps only the metrics `keep`.
void read_machine_series(store::history_store& history, const store::stored_result& stored,
                         const std::vector<std::string>& keep, const std::string& level,
                         std::string_view scope, report_test& test);

/// With a fingerprint scope that no test of `model` has results on: throws usage_error when the
/// history has no result on that machine at all, naming --machine, the history and the
/// fingerprints it has. Reads every result then (only on that path).
void check_machine_scope(store::history_store& history, const report_model& model);

}  // namespace detail

}  // namespace perfcheck::reports
