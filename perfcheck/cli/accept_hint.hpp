// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The hint after a regression or failure that the history keeps out of the baseline: the
// commands that accept it (docs/history.md, "Baseline epochs").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/store/baseline_epoch.hpp"

namespace perfcheck::cli {

/// `word` as a POSIX shell reads it back: as it is when it holds only letters, digits and
/// `_ - . / : = @ % + ,`, else in single quotes (a quote inside as '\'').
std::string shell_word(std::string_view word);

/// What `perfcheck history accept` needs to accept a pending change.
struct accept_target {
  std::vector<std::string> tests;  ///< the test names
  std::string history;             ///< the history file, as given
  std::string session{};           ///< start the new epoch at this session's results; "": at each
                                   ///< test's first pending result
};

/// The lines (each ends in '\n', indented by two spaces) that tell how to accept `target`: the
/// `perfcheck history accept` command and the CMake way (PERFCHECK_ACCEPT_TESTS with the target
/// perf_accept; left out when a name holds ';' or ',', which that list cannot carry). Names and
/// paths are shell-quoted, then made safe for a terminal (terminal_safe) and for the stream CTest
/// scans (escape_ctest_tags).
std::string accept_commands(const accept_target& target);

/// The hint after a result that its history keeps out of the baseline (`change`: the series'
/// pending change, which the result belongs to): why, then accept_commands for the test, and
/// when the change started in an earlier session, how to start the new baseline at `session`'s
/// result instead.
std::string accept_hint(const store::pending_change& change, const std::string& history,
                        const std::string& session);

}  // namespace perfcheck::cli
