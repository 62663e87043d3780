// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/series_expr.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"
#include "perfcheck/model/level.hpp"

namespace perfcheck {
namespace {

constexpr std::string_view prefix = "breaking_point(";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad(std::string_view text, std::string_view problem) {
  throw usage_error(fmt::format(
      "bad breaking point '{}': {}; write breaking_point(<threshold>[, <parameter>]) [<op> <level>], for "
      "example 'breaking_point(wall.p99 < 200ms, concurrency) >= 20'",
      text, problem));
}

// The tail after the closing parenthesis: "" or "<op> <number>".
void read_tail(std::string_view text, std::string_view tail, breaking_point_expr& out) {
  if (tail.empty()) return;
  std::size_t n = 0;
  while (n < tail.size() && n < 2 && std::string_view("<>=!").find(tail[n]) != std::string_view::npos) ++n;
  if (n == 0 || !comparison_from_string(tail.substr(0, n))) {
    bad(text, fmt::format("'{}' after the parentheses is not an operator and a level", tail));
  }
  out.op = std::string(tail.substr(0, n));
  const std::string number(trim(tail.substr(n)));
  char* end = nullptr;
  errno = 0;
  const double v = number.empty() ? 0 : std::strtod(number.c_str(), &end);
  if (number.empty() || errno != 0 || end != number.c_str() + number.size() || !std::isfinite(v)) {
    bad(text, fmt::format("'{}' is not a level (a number such as 20)", number));
  }
  out.limit = v;
}

}  // namespace

bool is_breaking_point(std::string_view text) { return trim(text).starts_with(prefix); }

bool is_series_gate(std::string_view text) {
  return is_breaking_point(text) || text.find('~') != std::string_view::npos;
}

breaking_point_expr parse_breaking_point(std::string_view text) {
  const std::string_view s = trim(text);
  breaking_point_expr out;
  out.text = std::string(s);
  if (!s.starts_with(prefix)) bad(text, "it does not start with 'breaking_point('");
  const auto close = s.find(')');
  if (close == std::string_view::npos) bad(text, "the closing parenthesis is missing");
  std::string_view inner = trim(s.substr(prefix.size(), close - prefix.size()));
  if (const auto comma = inner.rfind(','); comma != std::string_view::npos) {
    out.parameter = std::string(trim(inner.substr(comma + 1)));
    const std::string problem = parameter_name_problem(out.parameter);
    if (!problem.empty()) bad(text, fmt::format("the parameter '{}' {}", out.parameter, problem));
    inner = trim(inner.substr(0, comma));
  }
  if (inner.empty()) bad(text, "the threshold inside the parentheses is missing");
  out.gate = parse_threshold(inner);
  if (out.gate.level) {
    bad(text, fmt::format("'{}' names a level, but a breaking point steps through every level; drop '@{}'",
                          inner, *out.gate.level));
  }
  read_tail(text, trim(s.substr(close + 1)), out);
  return out;
}

threshold_expr series_gate_parts(std::string_view text, const std::vector<std::string>& reported) {
  if (is_breaking_point(text)) {
    breaking_point_expr b = parse_breaking_point(text);
    b.gate.text = b.text;
    return b.gate;
  }
  const auto tilde = text.find('~');
  if (tilde == std::string_view::npos) {
    throw usage_error(fmt::format("'{}' is neither a complexity gate nor a breaking point", text));
  }
  return parse_every_level_subject(text, text.substr(0, tilde), reported);
}

}  // namespace perfcheck
