// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The store a portable store test runs on: an SQLite file, or with PERFCHECK_TEST_BACKEND=
// postgresql a fresh database of the test server that tests/pg/pg_server.py started
// ($PERFCHECK_TEST_PG_DIR/uri), so the same assertions hold on both backends.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "perfcheck/store/sqlite_history_store.hpp"
#if PERFCHECK_WITH_POSTGRESQL
#include <libpq-fe.h>

#include "perfcheck/store/pg_history_store.hpp"
#endif

namespace test_store_detail {

inline bool on_postgresql() {
  const char* backend = std::getenv("PERFCHECK_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgresql";
}

/// Without the test server there is nothing to test against: exits with CTest's skip code.
inline void exit_unless_server() {
  const char* dir = std::getenv("PERFCHECK_TEST_PG_DIR");
  if (dir == nullptr || !std::filesystem::exists(std::filesystem::path(dir) / "uri")) {
    std::puts("skipped: no PostgreSQL test server (the pg fixture, tests/pg/pg_server.py, starts one)");
    std::exit(77);
  }
}

#if PERFCHECK_WITH_POSTGRESQL
/// The URI of the test server's `postgres` database.
inline std::string server_uri() {
  const char* dir = std::getenv("PERFCHECK_TEST_PG_DIR");
  if (dir == nullptr) throw std::runtime_error("PERFCHECK_TEST_PG_DIR is not set (the pg fixture sets it)");
  std::ifstream in(std::filesystem::path(dir) / "uri");
  std::string uri;
  std::getline(in, uri);
  if (uri.empty()) throw std::runtime_error(fmt::format("{}/uri: no URI (is the pg fixture's server up?)", dir));
  return uri;
}

/// `uri` with the database `name` instead of its own.
inline std::string with_database(const std::string& uri, const std::string& name) {
  const auto query = uri.find('?');
  const auto slash = uri.rfind('/', query);
  return uri.substr(0, slash + 1) + name + (query == std::string::npos ? "" : uri.substr(query));
}

/// Runs `sql` (no results) on the server's `postgres` database.
inline void admin(const std::string& sql) {
  PGconn* conn = PQconnectdb(server_uri().c_str());
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string message = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(fmt::format("{}: {}", sql, message));
}

/// The databases this process made, dropped when it ends.
inline std::set<std::string>& made() {
  static std::set<std::string> names;
  static const bool registered = [] {
    std::atexit([] {
      for (const auto& name : made()) {
        try {
          admin(fmt::format("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", name));
        } catch (const std::exception&) {  // the server is gone already: nothing to drop
        }
      }
    });
    return true;
  }();
  (void)registered;
  return names;
}

/// A database of its own for `path` (the same path: the same database, made once).
inline std::string database_for(const std::filesystem::path& path) {
  const std::string name = fmt::format("pc_{:016x}", std::hash<std::string>{}(path.string()));
  if (made().insert(name).second) admin(fmt::format("CREATE DATABASE \"{}\"", name));
  return with_database(server_uri(), name);
}
#endif

}  // namespace test_store_detail

/// The store of a portable test at `path` (see the file comment).
inline std::unique_ptr<perfcheck::store::sql_history_store> open_test_store(const std::filesystem::path& path) {
#if PERFCHECK_WITH_POSTGRESQL
  if (test_store_detail::on_postgresql()) {
    test_store_detail::exit_unless_server();
    return std::make_unique<perfcheck::store::pg_history_store>(test_store_detail::database_for(path));
  }
#endif
  if (test_store_detail::on_postgresql()) throw std::runtime_error("built without PostgreSQL (libpq)");
  return std::make_unique<perfcheck::store::sqlite_history_store>(path);
}

/// `TEST_STORE(store, tmp.file("h.sqlite"));` declares `store`, a history_store& of the backend.
#define TEST_STORE(var, path)                     \
  const auto var##_owned = open_test_store(path); \
  auto& var = *var##_owned
