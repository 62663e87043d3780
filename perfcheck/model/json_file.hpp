// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Reading untrusted JSON with errors that name the file, the place and the fix, and
// writing JSON files atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace perfcheck {

/// The "schema" member of a JSON document, or "" when it has none (or it is not a string).
std::string schema_of(const boost::json::value& json);

/// Parses JSON text, every real number read exactly (correctly rounded); a syntax error throws
/// usage_error "<origin>:<line>:<column>: ...".
boost::json::value parse_json_text(std::string_view text, std::string_view origin);

/// Reads and parses a JSON file; a missing, unreadable or malformed file throws usage_error.
boost::json::value read_json_file(const std::filesystem::path& path);

/// Writes `value` pretty-printed to `path` with write_file_atomic (atomic_file.hpp), so a reader
/// sees either the old file or the whole new one. Throws std::system_error naming the path.
void write_json_file_atomic(const std::filesystem::path& path, const boost::json::value& value);

/// Where write_file_atomic's producer writes its text, piece by piece.
using text_sink = std::function<void(std::string_view)>;

/// Writes what `produce` gives its sink to `path` as write_json_file_atomic does (temp file in the
/// same folder, fsync, rename), without holding the whole text: a failed write throws
/// std::system_error naming the temp file; whatever `produce` throws removes the temp file and
/// propagates. The old file stays as it was in either case.
void write_file_atomic(const std::filesystem::path& path, const std::function<void(const text_sink&)>& produce);

/// Pretty-prints JSON with two-space indentation and a final newline.
std::string pretty_json(const boost::json::value& value);

/// Walks one JSON object of an untrusted file. Every accessor checks the type and range and
/// throws usage_error "<origin>: field '<path>': <what is wrong>; <fix>".
class json_reader {
 public:
  /// `value` must be an object; `path` is the dotted place of it in the file ("" at the top).
  json_reader(const boost::json::value& value, std::string origin, std::string path = "");

  /// Throws when the object has a key not in `known` (catches typos like "warmpu").
  void reject_unknown(const std::vector<std::string_view>& known) const;

  bool has(std::string_view key) const;
  std::string required_string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  std::optional<std::int64_t> optional_int(std::string_view key, std::int64_t min,
                                           std::int64_t max) const;
  std::optional<double> optional_number(std::string_view key) const;
  std::optional<bool> optional_bool(std::string_view key) const;
  /// A non-empty array of strings when `non_empty`.
  std::vector<std::string> string_array(std::string_view key, bool required, bool non_empty) const;
  /// A nested object; throws when present but not an object.
  std::optional<json_reader> optional_object(std::string_view key) const;

  /// Throws usage_error for `key` with the given problem text.
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

  const std::string& origin() const { return origin_; }

 private:
  const boost::json::value* find(std::string_view key) const;
  std::string place(std::string_view key) const;

  const boost::json::object* object_;
  std::string origin_;
  std::string path_;
};

}  // namespace perfcheck
