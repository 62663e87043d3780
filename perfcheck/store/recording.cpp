// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/recording.hpp"

#include <cstdlib>
#include <regex>
#include <system_error>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/store/sqlite_history_store.hpp"
#if PERFCHECK_WITH_POSTGRESQL
#include "perfcheck/store/pg_history_store.hpp"
#endif

namespace perfcheck::store {
namespace {

// The value of an environment variable, or "" when unset.
std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

// The id in <dir>/session.json (perfcheck/session/v1), or "" when there is none to read: a
// missing or damaged session file must not stop a result from being recorded.
std::string session_id_from(const std::filesystem::path& dir) {
  if (dir.empty()) return {};
  const auto file = dir / "session.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return {};
  try {
    const boost::json::value json = read_json_file(file);
    const json_reader r(json, file.string());
    if (r.optional_string("schema").value_or("") != "perfcheck/session/v1") return {};
    return r.optional_string("id").value_or("");
  } catch (const usage_error&) {
    return {};
  }
}

bool is_server_location(const std::string& location) { return location.find("://") != std::string::npos; }

// A PostgreSQL history (postgresql://...); anything else with :// is refused by name.
std::unique_ptr<history_store> open_server(const std::string& location, bool create, bool read_only) {
#if PERFCHECK_WITH_POSTGRESQL
  if (is_postgresql_uri(location)) {
    pg_store_options options;
    options.create = create;
    options.read_only = read_only;
    return std::make_unique<pg_history_store>(location, std::move(options));
  }
  throw history_error(fmt::format("history {}: not a history perfcheck knows; give an SQLite file "
                                  "path or a postgresql:// URI",
                                  location.substr(0, location.find("://") + 3)),
                      true);
#else
  (void)create;
  (void)read_only;
  throw history_error(fmt::format("history {}: this perfcheck was built without PostgreSQL support "
                                  "(libpq was not found); install libpq-dev and rebuild, or give an "
                                  "SQLite file path",
                                  location.substr(0, location.find("://") + 3)),
                      true);
#endif
}

}  // namespace

bool is_postgresql_uri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string mask_password(std::string_view location) {
  // As libpq reads a URI: the password runs from the user's ':' to the '@' (a '?' or '#' in it is
  // still the password), and password= in the query runs to the next '&'.
  static const std::regex user_password(R"(^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*):[^@/]*@)");
  static const std::regex password_parameter(R"(([?&]password=)[^&]*)", std::regex::icase);
  std::string out = std::regex_replace(std::string(location), user_password, "$1:***@");
  return std::regex_replace(out, password_parameter, "$1***");
}

std::string uri_password(std::string_view location) {
  static const std::regex user_password(R"(^[A-Za-z][A-Za-z0-9+.-]*://[^:/@]*:([^@/]*)@)");
  static const std::regex password_parameter(R"([?&]password=([^&]*))", std::regex::icase);
  const std::string text(location);
  std::smatch m;
  if (std::regex_search(text, m, user_password) && m[1].length() > 0) return m[1].str();
  if (std::regex_search(text, m, password_parameter) && m[1].length() > 0) return m[1].str();
  return {};
}

bool history_exists(const std::string& location) {
  std::error_code ec;
  return is_server_location(location) || std::filesystem::exists(location, ec);
}

std::string history_location(const std::string& flag) {
  return flag.empty() ? env(history_environment_variable) : flag;
}

std::unique_ptr<history_store> open_history(const std::string& location, bool create) {
  if (is_server_location(location)) return open_server(location, create, false);
  const std::filesystem::path path(location);
  if (create && path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw history_error(fmt::format("history {}: cannot create its folder {}: {}; choose a "
                                      "writable place",
                                      location, path.parent_path().string(), ec.message()),
                          true);
    }
  }
  sqlite_store_options options;
  options.create = create;
  return std::make_unique<sqlite_history_store>(path, std::move(options));
}

std::unique_ptr<history_store> open_history_read_only(const std::string& location) {
  if (is_server_location(location)) return open_server(location, false, true);
  sqlite_store_options options;
  options.create = false;
  options.read_only = true;
  return std::make_unique<sqlite_history_store>(location, std::move(options));
}

void apply_context_environment(run_context& context, const std::filesystem::path& results_dir) {
  auto take = [](std::string& field, const char* name) {
    if (std::string value = env(name); !value.empty()) field = std::move(value);
  };
  take(context.session_id, "PERFCHECK_SESSION_ID");
  if (context.session_id.empty()) context.session_id = session_id_from(results_dir);
  take(context.git_commit, "PERFCHECK_GIT_COMMIT");
  take(context.git_branch, "PERFCHECK_GIT_BRANCH");
  take(context.compiler, "PERFCHECK_COMPILER");
}

}  // namespace perfcheck::store
