// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Strict parsing and readable formatting of durations, sizes, rates and counts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace perfcheck {

/// What a quantity measures; each kind has one base unit.
enum class unit_kind {
  duration,  ///< base unit: nanoseconds
  size,      ///< base unit: bytes
  rate,      ///< base unit: events per second
  count,     ///< a plain number (no unit)
};

/// A number in its kind's base unit.
struct quantity {
  double value = 0;
  unit_kind kind = unit_kind::count;
};

/// The name of a kind ("duration", "size", "rate", "count").
const char* to_string(unit_kind kind);

/// The kind named `text` ("duration", "size", "rate", "count"); nullopt otherwise.
std::optional<unit_kind> unit_kind_from_string(std::string_view text);

/// The units accepted for a kind, for error messages: "ns, us, ms, s, min, h".
const char* allowed_units(unit_kind kind);

/// Parses "<number><unit>" (spaces allowed between) into base units. Durations take
/// ns us ms s min h; sizes take B KiB MiB GiB TiB (powers of 2) and KB MB GB TB (powers of
/// 10); rates take "/s", "/min", "/h"; a bare number is a count, as is one with k, M or G
/// (1e3, 1e6, 1e9: "5M"). Negative numbers, NaN,
/// infinities, and unknown units throw usage_error naming the allowed units.
quantity parse_quantity(std::string_view text);

/// Parses a duration ("250ms", "2s") into nanoseconds; throws usage_error otherwise.
double parse_duration_ns(std::string_view text);

/// Parses a size ("64MiB", "10 MB") into bytes; throws usage_error otherwise.
double parse_size_bytes(std::string_view text);

/// "812 ns", "12.3 ms", "1.50 s", "2 min 5.0 s": three significant digits.
std::string format_duration(double ns);

/// "512 B", "4.2 KiB", "63.9 MiB": binary units, three significant digits.
std::string format_size(double bytes);

/// Formats a value of the given kind with format_duration, format_size, "/s" or plain.
std::string format_quantity(double value, unit_kind kind);

}  // namespace perfcheck
