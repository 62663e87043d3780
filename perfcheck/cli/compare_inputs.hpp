// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What `perfcheck compare` and `perfcheck baseline diff` share: reading one side of a
// comparison (result files, a folder of them, Google Benchmark JSON, a baseline file, a history
// session) and printing or writing the comparison.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <CLI/App.hpp>

#include "perfcheck/gate/comparison.hpp"
#include "perfcheck/model/baseline_file.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/store/history_store.hpp"

namespace perfcheck::cli {

/// One side of a comparison.
struct comparison_side {
  std::string label;                             ///< what it is, for the console and the JSON
  std::vector<gate::comparison_input> tests;     ///< one per test name, a sweep's one per level
  std::vector<std::string> notes;                ///< things the reader should know (duplicates, skipped files)
  std::size_t test_count = 0;                    ///< test names (a sweep counts once)
};

/// The default regression rule of compare and baseline diff.
inline constexpr const char* default_compare_rule = "wall.median +5%";

/// The flags compare and baseline diff share.
struct comparison_flags {
  std::vector<std::string> rules;  ///< --rule, repeatable; empty: default_compare_rule
  double alpha = 0.01;             ///< --alpha
  std::string json;                ///< --json FILE or "-"
  bool no_fail = false;            ///< --no-fail
};

/// Registers --rule, --alpha, --json and --no-fail on `sub`.
void add_comparison_options(CLI::App* sub, comparison_flags& flags);

/// Compares the two sides with the flags' rules and alpha and reports it (report_comparison).
/// A bad rule or alpha throws usage_error naming the flag.
int run_comparison(const comparison_side& baseline, const comparison_side& candidate,
                   const comparison_flags& flags);

/// A result as one test of a side: one input per point (points_of; a test without levels has
/// one, at ""), with metric_columns of the point's runs. A level with verdict `error` gets its
/// reason as the input's problem; a result with verdict `error` and no failed level, every input.
std::vector<gate::comparison_input> inputs_from_result(const run_result& result, const std::string& origin);

/// Reads a result file (perfcheck/result/v1), a baseline file (perfcheck/baseline/v1: a sweep's
/// entry gives one input per level of its points), a Google
/// Benchmark JSON file (detected by content), or a folder of result and Google Benchmark files
/// (other JSON files, such as session.json, are skipped; hidden files too). Two results of one
/// test name: the one started later counts, with a note. Throws usage_error naming the path and
/// the fix when it is missing, unreadable, of another kind, or a folder without results.
comparison_side load_path_side(const std::filesystem::path& path);

/// The JSON files of a folder (regular files named *.json, hidden ones left out), sorted by
/// path.
std::vector<std::filesystem::path> json_files_in(const std::filesystem::path& dir);

/// The results of one session of a history (latest per test name). Throws usage_error when the
/// session is unknown, listing the most recent session ids.
comparison_side load_session_side(store::history_store& history, const std::string& session_id);

/// The tests of a baseline file.
comparison_side load_baseline_side(const baseline_file& file, const std::string& path);

/// Prints the comparison (table, reasons of every row that did not pass, tests and levels found
/// on one side only, counts) to stdout, or to stderr when `json_target` is "-"; writes the JSON
/// (comparison_to_json plus "baseline" and "candidate" labels) to `json_target` when not empty
/// ("-": stdout). Returns exit_verdict_failed when a row regressed and not `no_fail`, else exit_ok.
int report_comparison(const gate::comparison_report& report, const comparison_side& baseline,
                      const comparison_side& candidate, const std::string& json_target, bool no_fail);

/// The comparison table alone: test, metric, baseline median, candidate median, change %, p,
/// interval, verdict; one line per row (a level's test written "name @ n=500"), with a header.
/// Control characters in names become '?'.
std::string format_comparison_table(const gate::comparison_report& report);

}  // namespace perfcheck::cli
