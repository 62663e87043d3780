// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "perfcheck/model/error.hpp"

namespace perfcheck {
namespace {

struct unit_def {
  std::string_view name;
  unit_kind kind;
  double factor;  // to the kind's base unit
};

// Case matters: "MB" (10^6) and "Mb" would be different things, so only these spellings.
constexpr std::array units{
    unit_def{"ns", unit_kind::duration, 1},
    unit_def{"us", unit_kind::duration, 1e3},
    unit_def{"ms", unit_kind::duration, 1e6},
    unit_def{"s", unit_kind::duration, 1e9},
    unit_def{"min", unit_kind::duration, 60e9},
    unit_def{"h", unit_kind::duration, 3600e9},
    unit_def{"B", unit_kind::size, 1},
    unit_def{"KiB", unit_kind::size, 1024.0},
    unit_def{"MiB", unit_kind::size, 1024.0 * 1024},
    unit_def{"GiB", unit_kind::size, 1024.0 * 1024 * 1024},
    unit_def{"TiB", unit_kind::size, 1024.0 * 1024 * 1024 * 1024},
    unit_def{"KB", unit_kind::size, 1e3},
    unit_def{"kB", unit_kind::size, 1e3},
    unit_def{"MB", unit_kind::size, 1e6},
    unit_def{"GB", unit_kind::size, 1e9},
    unit_def{"TB", unit_kind::size, 1e12},
    unit_def{"/s", unit_kind::rate, 1},
    unit_def{"/min", unit_kind::rate, 1.0 / 60},
    unit_def{"/h", unit_kind::rate, 1.0 / 3600},
    // Counts in thousands, millions, billions ("instructions < 5M"), powers of 10.
    unit_def{"k", unit_kind::count, 1e3},
    unit_def{"M", unit_kind::count, 1e6},
    unit_def{"G", unit_kind::count, 1e9},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Three significant digits: 1.23, 12.3, 123.
std::string three_digits(double v) {
  double a = std::fabs(v);
  if (a >= 100 || a == 0) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

}  // namespace

const char* to_string(unit_kind kind) {
  switch (kind) {
    case unit_kind::duration: return "duration";
    case unit_kind::size: return "size";
    case unit_kind::rate: return "rate";
    case unit_kind::count: return "count";
  }
  return "count";
}

std::optional<unit_kind> unit_kind_from_string(std::string_view text) {
  for (unit_kind k : {unit_kind::duration, unit_kind::size, unit_kind::rate, unit_kind::count}) {
    if (text == to_string(k)) return k;
  }
  return std::nullopt;
}

const char* allowed_units(unit_kind kind) {
  switch (kind) {
    case unit_kind::duration: return "ns, us, ms, s, min, h";
    case unit_kind::size: return "B, KiB, MiB, GiB, TiB (powers of 2) or KB, MB, GB, TB (powers of 10)";
    case unit_kind::rate: return "/s, /min, /h";
    case unit_kind::count: return "no unit, or k, M, G (thousands, millions, billions)";
  }
  return "";
}

quantity parse_quantity(std::string_view text) {
  const std::string_view s = trim(text);
  double number = 0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(first, last, number);
  if (ec != std::errc{} || ptr == first) {
    throw usage_error(fmt::format(
        "'{}' is not a number with a unit; write it like 250ms, 64MiB, 333/s or 12", text));
  }
  if (!std::isfinite(number)) {
    throw usage_error(fmt::format("'{}' is not a finite number", text));
  }
  if (number < 0) {
    throw usage_error(fmt::format("'{}' is negative; quantities are zero or more", text));
  }
  const std::string_view unit = trim(std::string_view(ptr, static_cast<std::size_t>(last - ptr)));
  if (unit.empty()) return {number, unit_kind::count};
  for (const auto& u : units) {
    if (u.name == unit) return {number * u.factor, u.kind};
  }
  throw usage_error(fmt::format(
      "unknown unit '{}' in '{}'; durations take {}; sizes take {}; rates take {}", unit, text,
      allowed_units(unit_kind::duration), allowed_units(unit_kind::size),
      allowed_units(unit_kind::rate)));
}

namespace {
double parse_as(std::string_view text, unit_kind want) {
  const quantity q = parse_quantity(text);
  if (q.kind != want) {
    throw usage_error(fmt::format("'{}' is not a {}; use one of {} (e.g. {})", text,
                                  to_string(want), allowed_units(want),
                                  want == unit_kind::duration ? "250ms" : "64MiB"));
  }
  return q.value;
}
}  // namespace

double parse_duration_ns(std::string_view text) { return parse_as(text, unit_kind::duration); }

double parse_size_bytes(std::string_view text) { return parse_as(text, unit_kind::size); }

std::string format_duration(double ns) {
  const double a = std::fabs(ns);
  if (a < 1e3) return fmt::format("{:.0f} ns", ns);
  if (a < 1e6) return three_digits(ns / 1e3) + " us";
  if (a < 1e9) return three_digits(ns / 1e6) + " ms";
  if (a < 60e9) return three_digits(ns / 1e9) + " s";
  if (a < 3600e9) {
    const double minutes = std::floor(a / 60e9);
    return fmt::format("{}{:.0f} min {:.1f} s", ns < 0 ? "-" : "", minutes, (a - minutes * 60e9) / 1e9);
  }
  return three_digits(ns / 3600e9) + " h";
}

std::string format_size(double bytes) {
  const double a = std::fabs(bytes);
  if (a < 1024) return fmt::format("{:.0f} B", bytes);
  if (a < 1024.0 * 1024) return three_digits(bytes / 1024) + " KiB";
  if (a < 1024.0 * 1024 * 1024) return three_digits(bytes / (1024.0 * 1024)) + " MiB";
  return three_digits(bytes / (1024.0 * 1024 * 1024)) + " GiB";
}

std::string format_quantity(double value, unit_kind kind) {
  switch (kind) {
    case unit_kind::duration: return format_duration(value);
    case unit_kind::size: return format_size(value);
    case unit_kind::rate: return three_digits(value) + "/s";
    case unit_kind::count: break;
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{:.4g}", value);
}

}  // namespace perfcheck
