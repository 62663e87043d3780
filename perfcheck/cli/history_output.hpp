// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What `perfcheck history` writes besides its tables: the JSON of list and show, and exports,
// every write checked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/store/history_store.hpp"

namespace perfcheck::cli {

/// `history list --json`: {"schema": "perfcheck/history-sessions/v1", "history", "sessions": [
/// {"id", "started_at", "finished_at", "results", "verdicts": {VERDICT: N}, "machine",
/// "git_branch", "git_commit"}]} (docs/history.md).
boost::json::value sessions_to_json(const std::string& location,
                                    const std::vector<store::session_info>& sessions);

/// `history show --test NAME --json`: {"schema": "perfcheck/history-series/v1", "history",
/// "test", "points": [{"key", "started_at", "git_commit", "git_branch", "machine", "spec_hash",
/// "session_id", "verdict", "summary": {METRIC: summary}}]}, oldest first.
boost::json::value series_to_json(const std::string& location, const std::string& test,
                                  const std::vector<store::series_point>& points);

/// Writes `text` to standard output; a failed write throws std::system_error with the OS's words
/// ("No space left on device").
void write_stdout(std::string_view text);

/// `history export`: every result, one at a time, to standard output ("-") or atomically to
/// `output`; returns how many were written. A failed write throws std::system_error (an output
/// file then keeps its old content).
std::size_t export_history_to(store::history_store& history, const std::string& output);

}  // namespace perfcheck::cli
