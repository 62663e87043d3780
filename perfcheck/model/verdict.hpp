// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The one-word outcome of a performance test.
#pragma once

#include <optional>
#include <string_view>

namespace perfcheck {

/// The verdict of one test; see docs/result-format.md for each meaning.
enum class verdict {
  pass,          ///< every threshold held (and no significant change)
  improved,      ///< significantly faster than the baseline beyond the tolerance
  regressed,     ///< significantly slower than the baseline beyond the tolerance
  failed,        ///< a threshold or a limit was violated
  inconclusive,  ///< the data cannot decide the regression rule
  error,         ///< the command failed (non-zero exit, crash) or could not be measured
  skipped,       ///< a gate could not be measured on this machine (COUNT instructions without a
                 ///< counter source); never a pass
};

/// "pass", "improved", ...
const char* to_string(verdict v);

/// The verdict named by `text`, or nullopt.
std::optional<verdict> verdict_from_string(std::string_view text);

}  // namespace perfcheck
