// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The history of results: what `perfcheck run --history` records and what baselines, trends
// and reports read. One small interface; SQLite and PostgreSQL implement it (sql_history_store).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/summary.hpp"
#include "perfcheck/model/verdict.hpp"
#include "perfcheck/store/baseline_epoch.hpp"

namespace perfcheck::store {

/// Schema tag of history export files.
inline constexpr const char* history_schema = "perfcheck/history/v1";

/// A history that cannot be used or a read or write that failed. The message names the file
/// (or location), what is wrong and what to do.
class history_error : public std::runtime_error {
 public:
  /// `refused`: the file is not a usable perfcheck history (foreign, corrupted, newer schema)
  /// and was left untouched; otherwise the operation failed (locked too long, disk full, ...).
  history_error(const std::string& message, bool refused)
      : std::runtime_error(message), refused_(refused) {}
  /// True when the file was refused as it is (a usage problem, exit code 2).
  bool refused() const { return refused_; }

 private:
  bool refused_;
};

/// The history's server could not be reached, went away in the middle of an operation, or could
/// not take the write now (a lock held too long, a deadlock) (PostgreSQL): nothing of that
/// operation was kept, and trying again later may work. A run
/// queues its result in the spool instead (history_spool.hpp).
class history_unreachable : public history_error {
 public:
  explicit history_unreachable(const std::string& message) : history_error(message, false) {}
};

/// One result as the history keeps it.
struct stored_result {
  std::string key;          ///< stable identity: a UUID derived from the result's JSON
  std::string recorded_at;  ///< RFC 3339 UTC of when it entered a history (kept by import)
  run_result result;        ///< the whole result, as result_from_json reads it back
  /// Where it stood in its series' baseline epochs in the history it was read from (exports carry
  /// it); nullopt: unknown (a result file, an older export), so adding it places it by the rules.
  std::optional<epoch_membership> baseline{};
  bool operator==(const stored_result&) const = default;
};

/// The stable identity of a result: a name-based UUID (SHA-1, RFC 4122 version 5) of its
/// compact JSON, so the same result recorded or imported twice is stored once.
std::string result_key(const run_result& result);

/// `result` with its key and recorded_at = now, ready to add.
stored_result stored_result_for(const run_result& result);

/// One `ctest -L perf` session (results sharing a session id; "" collects results without one).
struct session_info {
  std::string id;                           ///< the session id; "" for results recorded without one
  std::string started_at;                   ///< earliest started_at of its results
  std::string finished_at;                  ///< latest finished_at of its results
  std::size_t results = 0;                  ///< how many results it has
  std::map<verdict, std::size_t> verdicts;  ///< results per verdict (verdicts absent: 0)
  std::string machine;                      ///< machine fingerprint (the smallest when they differ)
  std::string git_branch;                   ///< (the smallest when they differ)
  std::string git_commit;                   ///< (the smallest when they differ)
  bool operator==(const session_info&) const = default;
};

/// Which results make one test's series; empty filters match everything. (The `{}`
/// initializers let callers use designated initializers for just the fields they need.)
struct series_query {
  std::string name{};        ///< the test name (required)
  std::string spec_hash{};   ///< empty: any spec
  std::string machine{};     ///< empty: any machine
  std::string git_branch{};  ///< empty: any branch
  std::size_t last = 0;      ///< only the most recent `last` points; 0: all
  /// Only these metrics' summaries in each point ("wall", "rss"); empty: every metric.
  std::vector<std::string> metrics{};
  /// The point of each result whose summaries are read: a sweep's level as to_string(level)
  /// gives it ("n=500"); empty: the one point of a test without levels.
  std::string level{};
};

/// One point of a test's trend: a result reduced to what a chart needs.
struct series_point {
  std::string key;                  ///< the result's key (result_key)
  std::string started_at;           ///< RFC 3339 UTC; points are in this order, oldest first
  std::string git_commit;           ///< of the measured project ("" when unknown)
  std::string git_branch;           ///< ("" when unknown)
  std::string machine;              ///< machine fingerprint
  std::string spec_hash;            ///< spec_hash of the measured command
  std::string session_id;           ///< ("" when recorded without a session)
  verdict outcome = verdict::pass;  ///< the result's verdict
  std::map<std::string, metric_summary> summary;  ///< per metric, as in the result
  bool operator==(const series_point&) const = default;
};

/// What a new result is compared with: the accepted results of the current baseline epoch of
/// a series. On the default branch (or an unknown one) that is the query's own series; on any
/// other branch it is the default branch's series, at or before the merge base when a result
/// of that commit is stored, never the branch's own results (unless a `history accept` on the
/// branch started an epoch of its own).
struct baseline_query {
  std::string name{};            ///< same test name
  std::string spec_hash{};       ///< same measured command (spec_hash)
  std::string machine{};         ///< same machine fingerprint
  std::string git_branch{};      ///< the new result's branch ("" is a branch too: unknown)
  std::string default_branch{};  ///< the branch others compare with; empty: every branch is its own
  std::string merge_base{};      ///< commit where git_branch left default_branch; empty: unknown
  std::string metric = "wall";   ///< whose samples are pooled (a metric_columns name)
  std::size_t sample_cap = 100;  ///< pool whole results, newest first, up to this many samples
  std::string before{};          ///< only results started before this RFC 3339 time; empty: any
  /// The point whose samples are pooled: a sweep's level ("n=500", to_string(level)), the same
  /// level of each baseline result; empty: the one point of a test without levels.
  std::string level{};
};

/// The pooled baseline samples and where they came from; empty when nothing is comparable.
/// Results with verdict `error` and results not accepted (pending) never count. Whole results
/// are pooled, newest first, while the pool stays within sample_cap; the newest result alone
/// is cut to sample_cap.
struct baseline_pool {
  std::string git_branch;                ///< the branch the results came from
  std::vector<double> samples;           ///< the metric's values, base unit, newest result first
  std::vector<std::string> result_keys;  ///< the results used, newest first
  std::int64_t epoch = 0;                ///< the baseline epoch they belong to
  std::string merge_base;                ///< the merge base the pool was cut at; "" when not cut
  bool operator==(const baseline_pool&) const = default;
};

/// Which results prune removes; both rules may be combined.
struct prune_policy {
  std::string started_before{};  ///< remove results started before this RFC 3339 time; empty: none
  std::optional<std::size_t>
      keep_last{};  ///< keep the newest N per series (name, spec, machine, branch)
};

/// Results added one by one in one transaction (history import): statements are prepared once,
/// and nothing is kept unless commit() is called.
class history_batch {
 public:
  virtual ~history_batch() = default;
  /// Adds `entry` unless its key is stored already; true when it was new. It keeps
  /// `entry.baseline` when given, else it is placed in its series' epoch by the rules.
  virtual bool add(const stored_result& entry) = 0;
  /// Commits every result added; throws history_error when it cannot (nothing is kept then).
  virtual void commit() = 0;
};

/// A store of results. Every write is one transaction: concurrent writers (ctest -j) never
/// lose a result, and a crash leaves every committed result readable.
class history_store {
 public:
  virtual ~history_store() = default;

  /// Adds the results whose key is not stored yet, in one transaction; returns how many
  /// were new. Nothing is added when it throws.
  virtual std::size_t add(std::span<const stored_result> results) = 0;

  /// Records one result (key and recorded_at from stored_result_for); false when it was
  /// already stored.
  bool record(const run_result& result);

  /// Every session, the earliest first.
  virtual std::vector<session_info> sessions() = 0;

  /// The results of one session, in the order they started.
  virtual std::vector<stored_result> session_results(std::string_view session_id) = 0;

  /// One test's results over time, oldest first, with their summaries.
  virtual std::vector<series_point> series(const series_query& query) = 0;

  /// The baseline samples of a new result: the current epoch's accepted results of the series
  /// the query names (see baseline_query).
  virtual baseline_pool baseline(const baseline_query& query) = 0;

  /// The series' regression or failure that waits for acceptance; nullopt when none does.
  virtual std::optional<pending_change> pending(const series_identity& series) = 0;

  /// Starts a new baseline epoch of one test's series (one transaction); see accept_request.
  virtual acceptance accept(const accept_request& request) = 0;

  /// Every result, by started_at then key (the export order).
  virtual std::vector<stored_result> all_results() = 0;

  /// Hands every result to `each` in the export order, one at a time (history export: memory
  /// holds one result whatever the history's size).
  virtual void each_result(const std::function<void(const stored_result&)>& each) = 0;

  /// Starts a batch of additions, one write transaction until it commits or is destroyed.
  virtual std::unique_ptr<history_batch> begin_batch() = 0;

  /// Removes results by the policy in one transaction; returns how many were removed.
  virtual std::size_t prune(const prune_policy& policy) = 0;

  /// Where the history is, for messages (a file path or a URL).
  virtual std::string location() const = 0;
};

/// Checks a result read from a file for the history as `perfcheck run` checks what it writes:
/// the test name (test_name_problem: no newline, NUL, ESC, ...), every threshold's text parses
/// with the threshold grammar and says what its stored parts say, and every measured run took time (measured_run_problem). Throws usage_error
/// "<origin>: field '<place>.<field>': <problem>; <fix>".
void check_imported_result(const run_result& result, std::string_view origin, std::string_view place);

/// The export file form of results: {"schema": "perfcheck/history/v1", "results": [...]}.
boost::json::value history_to_json(const std::vector<stored_result>& results);

/// Reads an export file (perfcheck/history/v1) or a single result file (perfcheck/result/v1,
/// which gets its key and recorded_at now); throws usage_error naming `origin`, the field and
/// the fix.
std::vector<stored_result> history_from_json(const boost::json::value& json,
                                             std::string_view origin);

/// Reads an export or result file with real numbers read exactly (see history_from_json);
/// a missing, unreadable or malformed file throws usage_error naming it.
std::vector<stored_result> read_history_file(const std::filesystem::path& path);

/// Reads an export or result file as read_history_file does, but result by result: each one is
/// read, checked (check_imported_result; its key must be the key of its content, and is computed
/// when the entry has none) and handed to `each` before the next is parsed, so memory holds one
/// result whatever the file's size. Returns how many results were handed out.
std::size_t stream_history_file(const std::filesystem::path& path,
                                const std::function<void(stored_result&&)>& each);

/// Writes the export form of every result of `history` (the bytes pretty_json(history_to_json(
/// history.all_results())) would give) piece by piece to `write`, one result at a time; returns
/// how many results were written. What `write` throws propagates.
std::size_t write_history_export(history_store& history,
                                 const std::function<void(std::string_view)>& write);

}  // namespace perfcheck::store
