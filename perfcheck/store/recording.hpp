// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// What `perfcheck run` and `perfcheck history` share: where the history is, opening it, and
// the context that CI passes in through the environment.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "perfcheck/model/result.hpp"
#include "perfcheck/store/history_store.hpp"

namespace perfcheck::store {

/// The environment variable naming the default history file.
inline constexpr const char* history_environment_variable = "PERFCHECK_HISTORY";

/// The history to use: `flag` when not empty, else $PERFCHECK_HISTORY, else "" (none).
std::string history_location(const std::string& flag);

/// True for a location that names a PostgreSQL history (postgresql:// or postgres://).
bool is_postgresql_uri(std::string_view location);

/// `location` with its password, if any, replaced by "***" (user:secret@ and password=...): the
/// form every message, log, result and report shows.
std::string mask_password(std::string_view location);

/// The password written in `location` (user:secret@ or password=secret), or "" when there is none:
/// what must not reach a message in any form.
std::string uri_password(std::string_view location);

/// True when `location` may hold a history: a server URI (the server says when opened), or an
/// existing file.
bool history_exists(const std::string& location);

/// Opens the history at `location` (an SQLite file or a postgresql:// URI; with `create`, it and its folder are
/// created when missing). Throws history_error naming the location.
std::unique_ptr<history_store> open_history(const std::string& location, bool create);

/// Opens the history at `location` for reading only (sqlite_store_options::read_only): the
/// reading verbs (history list, show, export, report, compare --history, the baseline of a run)
/// work on a read-only file, folder or mount, and never write. Throws history_error.
std::unique_ptr<history_store> open_history_read_only(const std::string& location);

/// Fills `context` from PERFCHECK_SESSION_ID, PERFCHECK_GIT_COMMIT, PERFCHECK_GIT_BRANCH and
/// PERFCHECK_COMPILER when they are set and not empty; without PERFCHECK_SESSION_ID, the
/// session id comes from `results_dir`/session.json (written by 'perfcheck session start')
/// when that file is readable. Fields with no source are left as they are.
void apply_context_environment(run_context& context, const std::filesystem::path& results_dir);

}  // namespace perfcheck::store
