// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// JSON parsing that reads real numbers exactly, so the history round-trips results bit for bit.
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

namespace perfcheck::store::detail {

/// Parses JSON like parse_json_text (same errors: usage_error "<origin>:<line>:<column>: ..."),
/// but reads every real number with std::from_chars, correctly rounded: Boost.JSON 1.81's own
/// parser may be one unit in the last place off, and an export/import cycle must not drift.
boost::json::value parse_json_exact(std::string_view text, std::string_view origin);

}  // namespace perfcheck::store::detail
