// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The history on a PostgreSQL server (libpq): the same schema and queries as the SQLite file, in
// a schema of its own (perfcheck) of the database the URI names. See docs/history-fleet.md.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "perfcheck/store/sql_history_store.hpp"

namespace perfcheck::store {

/// The PostgreSQL schema (namespace) that holds perfcheck's tables.
inline constexpr const char* pg_schema = "perfcheck";

/// A migration's SQL in PostgreSQL's types: row ids are identity columns, integers 64-bit, and
/// text compares byte by byte (COLLATE "C", as SQLite does), so that every order is the same on
/// both backends.
std::string pg_ddl(const std::string& sql);

/// How a pg_history_store opens its database (reading only: every transaction is read-only).
struct pg_store_options : history_open_options {
  /// How long a write waits for another writer's lock before it fails.
  std::chrono::milliseconds lock_timeout{60'000};
};

/// A history_store in a PostgreSQL database. Opening refuses a schema perfcheck that is not a
/// perfcheck history or has a newer version, and leaves it untouched; an older one is migrated
/// forward. One object is one connection: use it from one thread.
class pg_history_store final : public sql_history_store {
 public:
  /// Connects to `uri` (postgresql://...); throws history_unreachable or history_error naming
  /// the URI without its password.
  explicit pg_history_store(const std::string& uri, pg_store_options options = {});
  ~pg_history_store() override;
  pg_history_store(const pg_history_store&) = delete;
  pg_history_store& operator=(const pg_history_store&) = delete;

  int schema_version() const override;
  std::string location() const override;

 private:
  detail::sql_connection& connection() override;

  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace perfcheck::store
