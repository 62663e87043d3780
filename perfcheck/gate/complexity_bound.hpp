// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The grammar of a complexity gate, `<metric>.<statistic> ~ O(<class>)`: for example
// `wall.median ~ O(n)`, "grows no faster than linear in the parameter n".
#pragma once

#include <string>
#include <string_view>

#include "perfcheck/stats/complexity.hpp"

namespace perfcheck::gate {

/// A parsed bound: the class and the parameter it is stated in ("" for O(1)).
struct complexity_bound {
  stats::growth bound = stats::growth::constant;
  std::string parameter;
  bool operator==(const complexity_bound&) const = default;
};

/// Parses `O(1)`, `O(log n)`, `O(n)`, `O(n log n)`, `O(n^2)`, `O(n^3)`, where n is any parameter
/// name (a letter or `_`, then letters, digits, `_`) and the same name both times in
/// `O(n log n)`. Spaces are allowed between the tokens. Anything else: std::invalid_argument
/// whose message quotes the text and lists the forms.
complexity_bound parse_complexity_bound(std::string_view text);

/// `text` rendered back in the form parse_complexity_bound reads (`O(n log n)`).
std::string format_complexity_bound(const complexity_bound& bound);

/// A complexity gate split at its `~`: the subject (trimmed; the threshold grammar reads it) and
/// the bound.
struct complexity_gate_expr {
  std::string subject;
  complexity_bound bound;
};

/// Splits and parses `subject ~ bound`; a missing `~` or subject, or a bad bound:
/// std::invalid_argument quoting the text.
complexity_gate_expr parse_complexity_gate(std::string_view text);

/// Whether `text` is a complexity gate (has a `~`), so that a caller can route it here.
bool is_complexity_gate(std::string_view text);

}  // namespace perfcheck::gate
