// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The history's queries, written once for every SQL backend (sql_history_*.cpp): a backend
// (SQLite, PostgreSQL) opens its connection, keeps the schema and hands the connection here.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/store/history_store.hpp"
#include "perfcheck/store/sql_handle.hpp"

namespace perfcheck::store {

/// One forward step of the schema: the SQL that turns version `version - 1` into `version`.
/// Applied in one transaction together with the new version number.
struct schema_migration {
  int version = 0;          ///< the version it produces; the steps are 1, 2, 3, ... in order
  std::string description;  ///< for messages: "v1: results, samples, summaries, messages"
  std::string sql;          ///< one or more statements
};

/// This perfcheck's migrations, v1 first, for every backend (history_schema.cpp; a backend
/// may translate the types, see pg_ddl); the schema version it writes is their count.
const std::vector<schema_migration>& sqlite_migrations();

/// How a backend opens its history (each adds how long a writer waits for another).
struct history_open_options {
  /// Create the history (the file, the schema) when it does not exist; otherwise that is an error.
  bool create = true;
  /// Open for reading only: nothing is written, not even a migration. Writes then fail.
  bool read_only = false;
  /// The steps up to the version to use (tests add a step to prove the mechanism).
  std::vector<schema_migration> migrations = sqlite_migrations();
};

namespace detail {
/// A batch of additions on `db` (sql_history_batch.cpp).
/// `version`: the history's schema version; from v3 on each result is placed in its epoch, from v4
/// on its summaries carry its name, from v5 on its points their level.
/// `one_series`: the batch adds to one series only (one result), so writers of other series need
/// not wait for it.
std::unique_ptr<history_batch> begin_sql_batch(sql_connection& db, int version, bool one_series = false);
/// The statistics columns of the summaries table, in the order the store writes and reads them.
inline constexpr const char* summary_columns =
    "n, min, max, mean, median, stddev, mad, p90, p95, p99, ci_low, ci_high";

/// Where a new result goes in its series: its epoch and state.
struct epoch_place {
  std::int64_t epoch = 0;
  baseline_state state = baseline_state::accepted;
};

/// Places new results in their series' epochs (sql_history_epochs.cpp) with its three
/// queries prepared once, for a whole batch. Use inside the write transaction that adds them.
class epoch_placer {
 public:
  explicit epoch_placer(sql_connection& db);
  ~epoch_placer();
  epoch_placer(const epoch_placer&) = delete;
  epoch_placer& operator=(const epoch_placer&) = delete;
  /// The epoch and state of `result`, after the results added before it (and, in a series
  /// write, after the series' other writers: sql_connection::lock_series).
  epoch_place place(const run_result& result);

 private:
  sql_connection& db_;
  struct statements;
  std::unique_ptr<statements> s_;
};

/// What keeping a schema needs of its backend (sql_schema.cpp).
struct schema_keeper {
  sql_connection& db;
  const std::vector<schema_migration>& migrations;
  /// The history as found, read-only: nullopt when it is empty (a new history), else its schema
  /// version; refuses (throws) a foreign history, a damaged one and a newer schema.
  std::function<std::optional<int>()> inspect;
  /// The backend's form of a migration's SQL (its types); identity for SQLite.
  std::function<std::string(const std::string&)> ddl;
};

/// (type, name) of every schema object the migrations create, tables and indexes alike (an
/// index a later step drops stays allowed: a history may still be at the version before), and
/// perfcheck_meta.
std::set<std::pair<std::string, std::string>> created_objects(const std::vector<schema_migration>& migrations);
/// The version perfcheck_meta records; refuses (history_error, refused) a format that is not
/// perfcheck's, a version that is not a number and a version above `known_version`.
int read_meta_version(sql_connection& db, int known_version);
/// Applies every step above `version`, each in its own write transaction that inspects the
/// history again (another process may have migrated meanwhile); returns the version reached.
int migrate_schema(const schema_keeper& keeper, int version);
/// Creates the whole schema as temporary tables of the connection, which its queries find
/// first: an empty history opened for reading answers "nothing" without writing.
void empty_schema_in_temp(const schema_keeper& keeper);
}  // namespace detail

/// The history_store operations on an SQL connection, for the backends to derive from.
class sql_history_store : public history_store {
 public:
  /// The schema version of the open history (after migrations).
  virtual int schema_version() const = 0;

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

  /// Removes the results with these keys (and their rows) in one transaction; returns how many
  /// there were (the spool, once its results are sent).
  std::size_t remove_results(const std::vector<std::string>& keys);

 protected:
  /// The open connection the queries run on.
  virtual detail::sql_connection& connection() = 0;
};

}  // namespace perfcheck::store
