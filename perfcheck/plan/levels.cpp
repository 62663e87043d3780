// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/plan/levels.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck {
namespace {

constexpr const char* range_help =
    "write a list of values, or a range: A..B*F (geometric: A, A*F, A*F^2, ... up to B, e.g. "
    "10..1000*10) or A..B+S (linear: A, A+S, ... up to B, e.g. 0..100+25)";

template <class T>
std::optional<T> number(std::string_view s) {
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

bool starts_with_number(std::string_view s) {
  const std::size_t at = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  return at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]));
}

std::vector<std::string> too_many(std::string_view text) {
  throw usage_error(fmt::format("the range '{}' has more than {} values (the most points a test may "
                                "measure); use a larger step or a narrower range", text, max_points));
}

std::vector<std::string> integer_range(std::string_view text, std::int64_t a, std::int64_t b, char op,
                                       std::int64_t step) {
  if (op == '*' && (a <= 0 || step < 2)) {
    throw usage_error(fmt::format("the geometric range '{}' needs a start above 0 and a factor of at "
                                  "least 2; {}", text, range_help));
  }
  std::vector<std::string> out;
  for (std::int64_t v = a; v <= b;) {
    if (out.size() == max_points) too_many(text);
    out.push_back(std::to_string(v));
    if (op == '*' ? v > b / step : v > b - step) break;
    v = op == '*' ? v * step : v + step;
  }
  return out;
}

std::vector<std::string> real_range(std::string_view text, double a, double b, char op, double step) {
  if (op == '*' && (a <= 0 || step <= 1)) {
    throw usage_error(fmt::format("the geometric range '{}' needs a start above 0 and a factor above 1; {}",
                                  text, range_help));
  }
  std::vector<std::string> out;
  // A little slack at the end, so that 0.1..0.3+0.1 ends at 0.3 despite rounding.
  const double end = op == '*' ? b * (1 + 1e-9) : b + step * 1e-9;
  for (std::size_t k = 0;; ++k) {
    const double v = op == '*' ? a * std::pow(step, static_cast<double>(k)) : a + step * static_cast<double>(k);
    if (v > end) break;
    if (out.size() == max_points) too_many(text);
    out.push_back(fmt::format("{:.12g}", v));
  }
  return out;
}

}  // namespace

std::vector<std::string> expand_parameter_value(std::string_view text) {
  if (text.empty()) throw usage_error(fmt::format("a value is empty; {}", range_help));
  const auto dots = text.find("..");
  if (dots == std::string_view::npos || !starts_with_number(text)) return {std::string(text)};
  const std::string_view first = text.substr(0, dots), rest = text.substr(dots + 2);
  const auto op_at = rest.find_last_of("*+");
  if (op_at == std::string_view::npos || op_at == 0) {
    throw usage_error(fmt::format("the range '{}' has no step; {}", text, range_help));
  }
  const std::string_view last = rest.substr(0, op_at), step = rest.substr(op_at + 1);
  const char op = rest[op_at];
  const auto ia = number<std::int64_t>(first), ib = number<std::int64_t>(last), is = number<std::int64_t>(step);
  if (ia && ib && is && (*is > 0)) {
    if (*ia > *ib) throw usage_error(fmt::format("the range '{}' starts past its end; {}", text, range_help));
    return integer_range(text, *ia, *ib, op, *is);
  }
  const auto a = number<double>(first), b = number<double>(last), s = number<double>(step);
  if (!a || !b || !s || !std::isfinite(*a) || !std::isfinite(*b) || !std::isfinite(*s) || *s <= 0) {
    throw usage_error(fmt::format("'{}' is not a range (numbers and a step above 0); {}", text, range_help));
  }
  if (*a > *b) throw usage_error(fmt::format("the range '{}' starts past its end; {}", text, range_help));
  return real_range(text, *a, *b, op, *s);
}

std::vector<parameter> expand_parameters(const std::vector<parameter_spec>& parameters, std::string_view where) {
  std::vector<parameter> out;
  std::size_t points = 1;
  for (const auto& p : parameters) {
    const auto fail = [&](const std::string& why) {
      throw usage_error(fmt::format("{}: parameter '{}': {}", where, p.name, why));
    };
    if (const auto why = parameter_name_problem(p.name); !why.empty()) fail("the name " + why);
    if (std::any_of(out.begin(), out.end(), [&](const parameter& q) { return q.name == p.name; }))
      fail("is declared twice; give each parameter once, with all its values");
    parameter expanded{p.name, {}};
    std::set<std::string> seen;
    for (const auto& written : p.values) {
      std::vector<std::string> values;
      try {
        values = expand_parameter_value(written);
      } catch (const usage_error& e) {
        fail(e.what());
      }
      for (auto& v : values) {
        if (!seen.insert(v).second) fail(fmt::format("the value {} is given twice (duplicate levels); give each value once", v));
        expanded.values.push_back(std::move(v));
      }
    }
    if (expanded.values.empty()) fail("has no values; give at least one, e.g. n=10,100");
    points *= expanded.values.size();
    if (points > max_points) {
      throw usage_error(fmt::format("{}: the parameters make more than {} levels (the most points a test "
                                    "may measure); use fewer values", where, max_points));
    }
    out.push_back(std::move(expanded));
  }
  return out;
}

std::vector<level> sweep_levels(const std::vector<parameter>& parameters) {
  if (parameters.empty()) return {};
  std::vector<level> out{level{}};
  for (const auto& p : parameters) {
    std::vector<level> next;
    for (const auto& partial : out) {
      for (const auto& v : p.values) {
        level l = partial;
        l.push_back({p.name, v});
        next.push_back(std::move(l));
      }
    }
    out = std::move(next);
  }
  return out;
}

std::string substitute(std::string_view text, const level& at) { return substitute(text, at, false); }

std::string substitute(std::string_view text, const level& at, bool keep_unknown) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const auto close = text.find('}', i + 1);
    const std::string_view name = close == std::string_view::npos ? "" : text.substr(i + 1, close - i - 1);
    if (name.empty() || !parameter_name_problem(name).empty()) {
      out += '{';  // not a placeholder: a literal brace
      continue;
    }
    const auto it = std::find_if(at.begin(), at.end(), [&](const level_value& v) { return v.name == name; });
    if (name == "instance" && std::any_of(at.begin(), at.end(), [](const level_value& v) { return v.name == "concurrency"; })) {
      out += "{instance}";  // each copy's own number, substituted by the launcher
      i = close;
      continue;
    }
    if (it == at.end() && keep_unknown) {
      out += text.substr(i, close - i + 1);
      i = close;
      continue;
    }
    if (it == at.end()) {
      std::string names;
      for (const auto& v : at) names += (names.empty() ? "" : ", ") + v.name;
      throw usage_error(fmt::format("the placeholder {{{}}} names no parameter (the parameters are {}); "
                                    "declare it, or write {{{{ for a literal brace", name, names));
    }
    out += it->value;
    i = close;
  }
  return out;
}

std::string parameter_variable(std::string_view name) {
  std::string out = "PERFCHECK_PARAM_";
  for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

namespace {

// `spec` with the placeholders of `at` substituted in the command, the baseline command, the
// working directory and the environment values.
run_spec substituted(const run_spec& spec, const level& at, bool keep_unknown) {
  run_spec out = spec;
  for (auto& a : out.command) a = substitute(a, at, keep_unknown);
  for (auto& a : out.baseline_command) a = substitute(a, at, keep_unknown);
  for (auto& [field, argv] : hook_commands(out)) {
    for (auto& a : *argv) a = substitute(a, at, keep_unknown);
  }
  out.working_directory = substitute(out.working_directory, at, keep_unknown);
  for (auto& e : out.environment) {
    const auto eq = e.find('=');
    if (eq != std::string::npos) e = e.substr(0, eq + 1) + substitute(std::string_view(e).substr(eq + 1), at, keep_unknown);
  }
  return out;
}

}  // namespace

run_spec spec_at(const run_spec& spec, const level& at) {
  // A server test's {port} is known only when it runs (spec_with_port), so it is kept here.
  run_spec out = substituted(spec, at, !spec.server.empty());
  for (const auto& v : at) out.environment.push_back(parameter_variable(v.name) + "=" + v.value);
  return out;
}

std::string server_port_variable(std::string_view name) {
  std::string out = "PERFCHECK_SERVER_";
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  }
  return out + "_PORT";
}

run_spec spec_with_port(const run_spec& spec, int port) {
  const std::string value = std::to_string(port);
  run_spec out = substituted(spec, {{"port", value}}, true);
  out.environment.push_back("PERFCHECK_SERVER_PORT=" + value);
  out.environment.push_back(server_port_variable(spec.server) + "=" + value);
  return out;
}

namespace {

// The name=value pairs of a level text; a bare value is named "" (the one parameter).
std::vector<level_value> pairs_of(std::string_view text) {
  std::vector<level_value> out;
  for (std::size_t start = 0; start <= text.size();) {
    const auto comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    const auto eq = item.find('=');
    out.push_back(eq == std::string_view::npos ? level_value{"", std::string(item)}
                                               : level_value{std::string(item.substr(0, eq)), std::string(item.substr(eq + 1))});
    start = comma + 1;
  }
  return out;
}

// Whether two written values are the same level: the same text or the same number.
bool same_value(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const auto x = number<double>(a), y = number<double>(b);
  return x && y && *x == *y;
}

}  // namespace

bool level_matches(std::string_view text, const level& at) {
  for (const auto& pair : pairs_of(text)) {
    const auto it = std::find_if(at.begin(), at.end(), [&](const level_value& v) {
      return (pair.name.empty() || v.name == pair.name) && same_value(v.value, pair.value);
    });
    if (it == at.end()) return false;
  }
  return true;
}

std::string level_problem(std::string_view text, const std::vector<parameter>& parameters, std::string_view what) {
  std::string names;
  for (const auto& p : parameters) names += (names.empty() ? "" : ", ") + p.name;
  if (parameters.empty()) {
    return fmt::format("the test has no level '{}': it measures one point; declare a parameter "
                       "(PARAMETERS, --parameter) or write the {} without '@{}'", text, what, text);
  }
  for (const auto& pair : pairs_of(text)) {
    if (pair.name.empty() && parameters.size() > 1) {
      return fmt::format("the level '{}' must name its parameter (one of {}), e.g. @{}={}", text, names,
                         parameters.front().name, pair.value);
    }
    const auto p = std::find_if(parameters.begin(), parameters.end(), [&](const parameter& q) {
      return pair.name.empty() || q.name == pair.name;
    });
    if (p == parameters.end()) return fmt::format("the test has no parameter '{}' (its parameters are {})", pair.name, names);
    if (std::none_of(p->values.begin(), p->values.end(), [&](const std::string& v) { return same_value(v, pair.value); })) {
      std::string values;
      for (const auto& v : p->values) values += (values.empty() ? "" : ", ") + v;
      return fmt::format("the test has no level {}={} (the values of {} are {})", p->name, pair.value, p->name, values);
    }
  }
  return {};
}

}  // namespace perfcheck
