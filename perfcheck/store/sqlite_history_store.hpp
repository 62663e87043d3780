// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The history in one SQLite file: WAL, a busy timeout, versioned schema with forward
// migrations. See docs/history.md for the schema and the guarantees.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "perfcheck/store/history_store.hpp"

namespace perfcheck::store {

namespace detail {
class sqlite_connection;
/// A batch of additions on `db` (sqlite_history_batch.cpp).
/// `version`: the file's schema version; from v3 on each result is placed in its epoch, from v4
/// on its summaries carry its name.
std::unique_ptr<history_batch> begin_sqlite_batch(sqlite_connection& db, int version);
/// The statistics columns of the summaries table, in the order the store writes and reads them.
inline constexpr const char* summary_columns =
    "n, min, max, mean, median, stddev, mad, p90, p95, p99, ci_low, ci_high";

/// Where a new result goes in its series: its epoch and state.
struct epoch_place {
  std::int64_t epoch = 0;
  baseline_state state = baseline_state::accepted;
};

/// Places new results in their series' epochs (sqlite_history_epochs.cpp) with its three
/// queries prepared once, for a whole batch. Use inside the write transaction that adds them.
class epoch_placer {
 public:
  explicit epoch_placer(sqlite_connection& db);
  ~epoch_placer();
  epoch_placer(const epoch_placer&) = delete;
  epoch_placer& operator=(const epoch_placer&) = delete;
  /// The epoch and state of `result`, after the results added before it.
  epoch_place place(const run_result& result);

 private:
  struct statements;
  std::unique_ptr<statements> s_;
};
}  // namespace detail

/// One forward step of the schema: the SQL that turns version `version - 1` into `version`.
/// Applied in one transaction together with the new version number.
struct schema_migration {
  int version = 0;          ///< the version it produces; the steps are 1, 2, 3, ... in order
  std::string description;  ///< for messages: "v1: results, samples, summaries, messages"
  std::string sql;          ///< one or more statements
};

/// This perfcheck's migrations, v1 first; the schema version it writes is their count.
const std::vector<schema_migration>& sqlite_migrations();

namespace detail {
/// The first schema object of the open file that `migrations` do not create (a trigger, a view,
/// a foreign table or index), as "trigger 'audit'"; "" when there is none.
std::string unknown_schema_object(sqlite_connection& db, const std::vector<schema_migration>& migrations);
/// The URI that opens `path` for reading only: mode=ro, and immutable=1 when its folder is not
/// writable and it has no write-ahead log (so no -shm file is needed).
std::string read_only_uri(const std::filesystem::path& path);
}  // namespace detail

/// How a sqlite_history_store opens its file.
struct sqlite_store_options {
  /// How long a write waits for another writer before it fails.
  std::chrono::milliseconds busy_timeout{60'000};
  /// Create the file when it does not exist; otherwise a missing file is an error.
  bool create = true;
  /// Open for reading only (SQLITE_OPEN_READONLY): nothing is written, not even a migration or
  /// the switch to WAL, and a history on a read-only mount can be read. Writes then fail.
  bool read_only = false;
  /// The steps up to the version to use (tests add a step to prove the mechanism).
  std::vector<schema_migration> migrations = sqlite_migrations();
};

/// A history_store in one SQLite 3 file. Opening refuses a file that is not a perfcheck
/// history, is corrupted or has a newer schema, and leaves it byte-identical; an older
/// schema is migrated forward. One object is one connection: use it from one thread.
class sqlite_history_store final : public history_store {
 public:
  /// Opens (or creates) the history at `path`; throws history_error naming the file.
  explicit sqlite_history_store(std::filesystem::path path, sqlite_store_options options = {});
  ~sqlite_history_store() override;
  sqlite_history_store(const sqlite_history_store&) = delete;
  sqlite_history_store& operator=(const sqlite_history_store&) = delete;

  /// The schema version of the open file (after migrations).
  int schema_version() const;

  // The history_store operations; see there.
  std::size_t add(std::span<const stored_result> results) override;
  std::vector<session_info> sessions() override;
  std::vector<stored_result> session_results(std::string_view session_id) override;
  std::vector<series_point> series(const series_query& query) override;
  baseline_pool baseline(const baseline_query& query) override;
  std::optional<pending_change> pending(const series_identity& series) override;
  acceptance accept(const accept_request& request) override;
  std::vector<stored_result> all_results() override;
  void each_result(const std::function<void(const stored_result&)>& each) override;
  std::unique_ptr<history_batch> begin_batch() override;
  std::size_t prune(const prune_policy& policy) override;
  std::string location() const override;

 private:
  /// The open connection, for the queries (sqlite_history_queries.cpp, sqlite_history_epochs.cpp).
  detail::sqlite_connection& connection();

  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace perfcheck::store
