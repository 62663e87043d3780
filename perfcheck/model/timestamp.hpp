// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The one timestamp form of result files and the history.
#pragma once

#include <chrono>
#include <string>

namespace perfcheck {

/// RFC 3339 UTC with milliseconds: "2026-11-23T10:00:00.123Z".
std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace perfcheck
