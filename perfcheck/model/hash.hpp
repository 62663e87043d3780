// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// FNV-1a: a small hash that is stable across builds and platforms (std::hash is neither), for
// machine fingerprints, spec hashes, file stems and report anchors.
#pragma once

#include <cstdint>
#include <string_view>

namespace perfcheck {

/// 64-bit FNV-1a of `text`, continuing from `h` (so several pieces hash as their concatenation).
constexpr std::uint64_t fnv1a64(std::string_view text, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

/// 32-bit FNV-1a of `text`.
constexpr std::uint32_t fnv1a32(std::string_view text) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace perfcheck
