// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The spool: where a run's result waits, in a local SQLite history, while its PostgreSQL
// history cannot be reached; sent on the next contact or with `perfcheck history sync`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "perfcheck/model/result.hpp"
#include "perfcheck/store/history_store.hpp"

namespace perfcheck::store {

/// The environment variable naming the spool file.
inline constexpr const char* spool_environment_variable = "PERFCHECK_SPOOL";

/// The spool file's name in a results folder.
inline constexpr const char* spool_file_name = "perfcheck-spool.sqlite";

/// The spool to use: `flag` when not empty, else $PERFCHECK_SPOOL, else `results_dir`/
/// perfcheck-spool.sqlite (results_dir empty: the current folder).
std::filesystem::path spool_location(const std::string& flag, const std::filesystem::path& results_dir);

/// Queues `result` in the spool at `spool` (created with its folder when missing); throws
/// history_error when it cannot (then the result file is all there is).
void queue_in_spool(const std::filesystem::path& spool, const run_result& result);

/// What sending a spool did.
struct spool_sent {
  std::size_t sent = 0;     ///< results the history did not have yet
  std::size_t already = 0;  ///< results it had already (sent before a crash, say)
  std::size_t left = 0;     ///< results still in the spool (queued meanwhile, or refused)
  std::size_t refused = 0;  ///< results the history refused (they stay queued)
  std::string problem;      ///< why the first of them was refused
};

/// Sends every result queued at `spool` to `history` in one transaction, each placed in its
/// series' baseline epoch by the history's rules, then removes them from the spool. A crash or a
/// lost connection between the two leaves them queued, and sending again stores none twice (the
/// key). A result the history refuses (its text, say) does not hold back the others: they are
/// then sent one by one, and the refused ones stay queued (`refused`, `problem`). No spool file:
/// nothing to send. Throws history_unreachable when the server went away; nothing is removed
/// from the spool then.
spool_sent send_spool(const std::filesystem::path& spool, history_store& history);

}  // namespace perfcheck::store
