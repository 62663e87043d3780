// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Baseline epochs: a result that regressed or failed waits for acceptance instead of joining
// its series' baseline, and `perfcheck history accept` starts a new epoch from the accepted
// results. The types the history_store interface uses for it; see docs/history.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "perfcheck/model/verdict.hpp"

namespace perfcheck::store {

/// One series: a test measured with one spec on one machine and one branch.
struct series_identity {
  std::string name{};
  std::string spec_hash{};
  std::string machine{};
  std::string git_branch{};
  bool operator==(const series_identity&) const = default;
};

/// Where a stored result stands for the baseline of its series.
enum class baseline_state {
  accepted,  ///< part of the baseline of its epoch
  pending,   ///< regressed or failed (or inconclusive after that): waits for `history accept`
  excluded,  ///< an error result: never a baseline
};

/// "accepted", "pending", "excluded".
std::string_view to_string(baseline_state state);

/// The state named by to_string's text; nullopt for any other text.
std::optional<baseline_state> baseline_state_from_string(std::string_view text);

/// Where a stored result stands in its series: its epoch and state, as an export carries them.
struct epoch_membership {
  std::int64_t epoch = 0;
  baseline_state state = baseline_state::accepted;
  bool operator==(const epoch_membership&) const = default;
};

/// The state a new result takes in its series. `streak_pending`: the series has pending
/// results after its last accepted one; `first`: the series' current epoch has no result yet.
/// error: excluded. regressed: pending. failed: pending, unless it is the series' first result
/// (it starts the level). pass, improved: accepted (a pass ends a pending streak: it agrees with
/// the accepted level). inconclusive: pending while a streak is pending, else accepted.
baseline_state state_for(verdict outcome, bool streak_pending, bool first);

/// A regression or failure that was not accepted: the oldest pending result after the series'
/// last accepted one, and how many pending results there are since.
struct pending_change {
  series_identity series;
  std::string first_key;         ///< result key of the first pending result
  std::string first_commit;      ///< its git commit ("" when unknown)
  std::string first_started_at;  ///< RFC 3339 UTC
  std::string first_session;     ///< its session id
  verdict first_outcome = verdict::regressed;
  std::size_t results = 0;  ///< pending results since (the first one included)
  std::int64_t epoch = 0;   ///< the series' current epoch
  bool operator==(const pending_change&) const = default;
};

/// What `history accept` asks for: one test's new baseline epoch.
struct accept_request {
  std::string name;  ///< the test
  /// The session whose result of the test starts the new epoch; nullopt: the first pending
  /// result of the series of the test's newest result (on `machine` when given).
  std::optional<std::string> session_id{};
  /// Only the test's results measured on this machine (fingerprint) name the series; nullopt:
  /// any machine's.
  std::optional<std::string> machine{};
  std::string accepted_at{};  ///< RFC 3339 UTC, recorded in the acceptances table
};

/// What `history accept` did for one test.
struct acceptance {
  enum class status {
    accepted,         ///< a new epoch starts at `first_key`
    nothing_pending,  ///< no --session and the series has nothing waiting: nothing changed
    no_such_result,   ///< the test has no (non-error) result, in the session and on the machine
                      ///< when they were given
  };
  status outcome = status::no_such_result;
  series_identity series{};
  std::int64_t epoch = 0;      ///< the new epoch
  std::string first_key{};     ///< the result that starts it
  std::string first_commit{};  ///< its commit
  std::string first_started_at{};
  std::size_t results = 0;  ///< results now in the new epoch (the first and all later ones)
};

}  // namespace perfcheck::store
