// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Keeping the history's schema, for every backend: perfcheck_meta says what the history is and
// which version it has; the steps above that version are applied forward, one transaction each.
#include <charconv>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>

#include "perfcheck/store/sql_history_store.hpp"

namespace perfcheck::store::detail {
namespace {

// What the format row of perfcheck_meta says; anything else is not perfcheck's history.
constexpr const char* meta_format = "perfcheck/history";

std::optional<int> parse_version(const std::string& text) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

[[noreturn]] void refuse(const sql_connection& db, const std::string& problem) {
  throw history_error(fmt::format("history {}: {}", db.path(), problem), true);
}

void create_meta(sql_connection& db) {
  db.exec("CREATE TABLE perfcheck_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
          "create perfcheck_meta");
  sql_statement s(db, "INSERT INTO perfcheck_meta (name, value) VALUES (?1, ?2)",
                  "write perfcheck_meta");
  s.bind(1, "format").bind(2, meta_format).run();
  s.reset();
  s.bind(1, "version").bind(2, "0").run();
}

}  // namespace

std::set<std::pair<std::string, std::string>> created_objects(
    const std::vector<schema_migration>& migrations) {
  static const std::regex create(
      R"(CREATE\s+(UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\s+(IF\s+NOT\s+EXISTS\s+)?"?(\w+))",
      std::regex::icase);
  std::set<std::pair<std::string, std::string>> out{{"table", "perfcheck_meta"}};
  for (const auto& step : migrations) {
    for (std::sregex_iterator it(step.sql.begin(), step.sql.end(), create), end; it != end; ++it) {
      std::string type = (*it)[2].str();
      for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.emplace(type, (*it)[4].str());
    }
  }
  return out;
}

int read_meta_version(sql_connection& db, int known_version) {
  std::string format;
  std::string version_text;
  {
    sql_statement s(db, "SELECT name, value FROM perfcheck_meta", "read perfcheck_meta");
    while (s.step()) {
      if (s.text(0) == "format") format = s.text(1);
      if (s.text(0) == "version") version_text = s.text(1);
    }
  }
  if (format != meta_format) {
    refuse(db, fmt::format("perfcheck_meta says format '{}', expected '{}'; this is not a "
                           "perfcheck history, perfcheck leaves it untouched: point --history at "
                           "another history",
                           format, meta_format));
  }
  const auto v = parse_version(version_text);
  if (!v) {
    refuse(db, fmt::format("perfcheck_meta has version '{}', which is not a number; the history "
                           "is damaged: restore it from a backup or an export",
                           version_text));
  }
  if (*v > known_version) {
    refuse(db, fmt::format("history schema version {} is newer than this perfcheck understands "
                           "(up to {}); perfcheck leaves it untouched: use a newer perfcheck, or "
                           "point --history at another history",
                           *v, known_version));
  }
  return *v;
}

int migrate_schema(const schema_keeper& keeper, int version) {
  auto& db = keeper.db;
  for (std::size_t i = 0; i < keeper.migrations.size(); ++i) {
    const auto& step = keeper.migrations[i];
    if (step.version != static_cast<int>(i) + 1) {
      throw std::logic_error(fmt::format("history migrations must be numbered 1, 2, ...; step {} "
                                         "has version {}",
                                         i + 1, step.version));
    }
    if (step.version <= version) continue;
    sql_transaction tx(db, sql_transaction::mode::write);
    const std::optional<int> now = keeper.inspect();
    if (!now) create_meta(db);
    version = now.value_or(0);
    if (step.version <= version) continue;  // rolled back: nothing written
    db.exec(keeper.ddl(step.sql), fmt::format("migrate the schema to {}", step.description));
    sql_statement s(db, "UPDATE perfcheck_meta SET value = ?1 WHERE name = 'version'",
                    "write the schema version");
    s.bind(1, std::to_string(step.version)).run();
    tx.commit();
    version = step.version;
  }
  return version;
}

void empty_schema_in_temp(const schema_keeper& keeper) {
  static const std::regex create_table(R"(CREATE\s+TABLE\s)", std::regex::icase);
  for (const auto& step : keeper.migrations) {
    keeper.db.exec(std::regex_replace(keeper.ddl(step.sql), create_table, "CREATE TEMP TABLE "),
                   fmt::format("read an empty history ({})", step.description));
  }
}

}  // namespace perfcheck::store::detail
