// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The metric channel: figures a measured program reports about itself, one per line, in a
// file it appends to (docs/metrics.md). This reads one run's channel file into metrics.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/model/sample.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::ingest {

/// What one run may write to the channel before perfcheck stops reading it.
struct channel_limits {
  std::size_t max_bytes = std::size_t{64} << 20;  ///< the rest of the file is not read
  std::size_t max_values = 1'000'000;             ///< values kept over all names
  std::size_t max_names = 1'000;                  ///< distinct metric names
};

/// One reported metric of one run (the model's reported_values: kind, percent, counter, values).
using reported_metric = reported_values;

/// One run's channel, read.
struct channel_contents {
  std::map<std::string, reported_metric> metrics;
  std::vector<std::pair<std::string, std::string>> meta;  ///< "#meta key=value", in order
  std::size_t lines = 0;          ///< complete lines read
  std::size_t malformed = 0;      ///< lines skipped as malformed
  std::string first_malformed;    ///< "line 3: 'startup fast ms': 'fast' is not a number"
  bool truncated = false;         ///< a limit was reached: the rest was not read
  std::string truncation;         ///< which limit, in words
  bool operator==(const channel_contents&) const = default;
};

/// Whether `name` may name a reported metric: starts with a letter, then letters, digits,
/// '_', '.' or '-', at most 64 characters, and is not a built-in metric or a name that
/// perfcheck derives (wall, cpu, rss, ..., or ending in ".rate"). Returns "" when it may,
/// else why not, in words.
std::string check_metric_name(std::string_view name);

/// A metadata key: a letter, then letters, digits, '_', '.' or '-'; at most 64 characters.
bool is_metadata_key(std::string_view key);
/// Whether `value` holds a control character (metadata values are one line of printable text).
bool has_control_character(std::string_view value);

/// Reads channel text. Malformed lines are counted and skipped (the first is kept for the
/// warning); a last line without its newline counts as malformed (the writer may have died
/// in the middle of it). Never throws on content.
channel_contents read_channel_text(std::string_view text, const channel_limits& limits = {});

/// Reads a run's channel file; a missing file is an empty channel (the program reported
/// nothing). Reads at most limits.max_bytes. Throws std::system_error naming the file when it
/// exists but cannot be read.
channel_contents read_channel_file(const std::filesystem::path& path, const channel_limits& limits = {});

/// The warnings a run's channel deserves (malformed lines, truncation), each naming the
/// channel and the fix; empty when there is nothing to say.
std::vector<std::string> channel_warnings(const channel_contents& channel);

}  // namespace perfcheck::ingest
