// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// valid_utf8 (declared in history_adapter.hpp): text from a history made well-formed.
#include <algorithm>
#include <string>
#include <string_view>

#include "reports/history_adapter.hpp"

namespace perfcheck::reports {

namespace {

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  // Nearly every string of a history (commits, dates, sessions, metric names) is ASCII: one
  // pass that only looks, then one copy (the loop below appends code point by code point).
  if (is_ascii(text)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    std::size_t len = 0;
    unsigned min = 0;
    if (c < 0x80)
      len = 1;
    else if (c >= 0xC2 && c <= 0xDF)
      len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
      len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
      len = 4, min = 0x10000;
    bool ok = len > 0 && i + len <= n;
    unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; ok && k < len; ++k) {
      ok = (s[i + k] & 0xC0) == 0x80;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    ok = ok && (len == 1 || (cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)));
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  return out;
}

}  // namespace perfcheck::reports
