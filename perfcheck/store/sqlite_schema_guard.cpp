// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What a history file may hold and how it is opened for reading: perfcheck's own tables and
// indexes only (a trigger or view someone added would run inside perfcheck's transactions), and
// a read-only open that works on a read-only mount.
#include <unistd.h>


#include <fmt/format.h>

#include "perfcheck/store/sqlite_handle.hpp"
#include "perfcheck/store/sqlite_history_store.hpp"

namespace perfcheck::store::detail {
namespace {

// SQLite's own objects: the indexes behind UNIQUE and PRIMARY KEY, ANALYZE's statistics.
bool sqlite_internal(const std::string& type, const std::string& name) {
  return (type == "index" && name.starts_with("sqlite_autoindex_")) ||
         (type == "table" && (name.starts_with("sqlite_stat") || name == "sqlite_sequence"));
}

}  // namespace

std::string unknown_schema_object(sqlite_connection& db,
                                  const std::vector<schema_migration>& migrations) {
  const auto known = created_objects(migrations);
  sql_statement s(db, "SELECT type, name FROM sqlite_master ORDER BY type, name",
                     "read the schema");
  while (s.step()) {
    const std::string type = s.text(0);
    const std::string name = s.text(1);
    if (!known.contains({type, name}) && !sqlite_internal(type, name)) {
      return fmt::format("{} '{}'", type, name);
    }
  }
  return {};
}

std::string read_only_uri(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const bool writable_dir = ::access(dir.c_str(), W_OK) == 0;
  std::error_code ec;
  const bool has_wal = std::filesystem::exists(path.string() + "-wal", ec);
  // Without a write-ahead log everything committed is in the file itself; in a folder where no
  // -shm can be created, immutable=1 reads it without one (nothing can write there either).
  return sqlite_file_uri(path, writable_dir || has_wal ? "mode=ro" : "mode=ro&immutable=1");
}

}  // namespace perfcheck::store::detail
