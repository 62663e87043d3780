// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Reading a large JSON file element by element: the history import reads exports of any size
// with one result in memory at a time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include <boost/json/value.hpp>

namespace perfcheck {

/// What stream_json_file hands out: one element of the streamed array, its index, and the
/// top-level string members read before the array (e.g. "schema").
using json_element_handler = std::function<void(
    boost::json::value&& element, std::size_t index, const std::map<std::string, std::string>& before)>;

/// What stream_json_file returns: the document without the streamed array, and whether there
/// was one (false: `array_key` was missing or not an array, and stays in `rest`).
struct json_stream_result {
  boost::json::value rest;
  bool streamed = false;
};

/// Parses the JSON file at `path` (real numbers read exactly, as parse_json_text does). When its
/// top level is an object whose member `array_key` is an array, each element of that array goes
/// to `element` as soon as it is complete and is not kept; `rest` is the document without that
/// member. Any other document is returned whole. Memory holds one element (plus
/// the other members) at a time. A syntax error throws usage_error "<path>:<line>:<column>: ...",
/// an unreadable file usage_error naming it; what `element` throws propagates.
json_stream_result stream_json_file(const std::filesystem::path& path, const std::string& array_key,
                                    const json_element_handler& element);

}  // namespace perfcheck
