// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/verdict.hpp"

#include <array>

namespace perfcheck {
namespace {
constexpr std::array names{"pass", "improved", "regressed", "failed", "inconclusive", "error", "skipped"};
}

const char* to_string(verdict v) { return names.at(static_cast<std::size_t>(v)); }

std::optional<verdict> verdict_from_string(std::string_view text) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (text == names[i]) return static_cast<verdict>(i);
  }
  return std::nullopt;
}

}  // namespace perfcheck
