// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/gate/complexity_bound.hpp"

#include <cctype>
#include <stdexcept>
#include <vector>

namespace perfcheck::gate {
namespace {

constexpr const char* forms = "O(1), O(log n), O(n), O(n log n), O(n^2) or O(n^3), n a parameter name";

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool ident_char(char c) { return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Tokens: identifiers, numbers, and the single characters ( ) ^.
std::vector<std::string> tokenize(std::string_view s, bool& ok) {
  std::vector<std::string> out;
  ok = true;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '(' || c == ')' || c == '^') {
      out.emplace_back(1, c);
      ++i;
    } else if (ident_char(c)) {
      std::size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      out.emplace_back(s.substr(i, j - i));
      i = j;
    } else {
      ok = false;
      return out;
    }
  }
  return out;
}

bool is_name(const std::string& t) { return !t.empty() && ident_start(t[0]) && t != "log"; }

// The class from the tokens between the parentheses; false when they are no known form.
bool read_class(const std::vector<std::string>& t, complexity_bound& out) {
  using stats::growth;
  if (t.size() == 1 && t[0] == "1") return (out = {growth::constant, ""}), true;
  if (t.size() == 1 && is_name(t[0])) return (out = {growth::linear, t[0]}), true;
  if (t.size() == 2 && t[0] == "log" && is_name(t[1])) return (out = {growth::log_n, t[1]}), true;
  if (t.size() == 3 && is_name(t[0]) && t[1] == "log" && t[2] == t[0]) return (out = {growth::n_log_n, t[0]}), true;
  if (t.size() == 3 && is_name(t[0]) && t[1] == "^" && (t[2] == "2" || t[2] == "3")) {
    return (out = {t[2] == "2" ? growth::quadratic : growth::cubic, t[0]}), true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

complexity_bound parse_complexity_bound(std::string_view text) {
  bool ok = false;
  const auto t = tokenize(text, ok);
  complexity_bound out;
  if (ok && t.size() >= 4 && t[0] == "O" && t[1] == "(" && t.back() == ")" &&
      read_class(std::vector<std::string>(t.begin() + 2, t.end() - 1), out)) {
    return out;
  }
  throw std::invalid_argument("complexity bound '" + std::string(text) + "' is not one of " + forms);
}

std::string format_complexity_bound(const complexity_bound& b) {
  const std::string& n = b.parameter;
  switch (b.bound) {
    case stats::growth::constant: return "O(1)";
    case stats::growth::log_n: return "O(log " + n + ")";
    case stats::growth::linear: return "O(" + n + ")";
    case stats::growth::n_log_n: return "O(" + n + " log " + n + ")";
    case stats::growth::quadratic: return "O(" + n + "^2)";
    case stats::growth::cubic: return "O(" + n + "^3)";
  }
  return "O(1)";
}

bool is_complexity_gate(std::string_view text) { return text.find('~') != std::string_view::npos; }

complexity_gate_expr parse_complexity_gate(std::string_view text) {
  const auto at = text.find('~');
  if (at == std::string_view::npos || trim(text.substr(0, at)).empty()) {
    throw std::invalid_argument("complexity gate '" + std::string(text) +
                                "' must read '<metric>.<statistic> ~ <bound>', for example 'wall.median ~ O(n)'");
  }
  return {std::string(trim(text.substr(0, at))), parse_complexity_bound(trim(text.substr(at + 1)))};
}

}  // namespace perfcheck::gate
