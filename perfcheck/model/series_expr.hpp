// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The grammar of a breaking point, `breaking_point(<threshold>[, <parameter>]) [<op> <level>]`,
// and the expression parts that the outcome of a gate across levels carries (also for
// complexity gates, whose bound grammar is gate/complexity_bound). See docs/sweeps.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/threshold.hpp"

namespace perfcheck {

/// A parsed breaking point: `breaking_point(wall.p99 < 200ms, concurrency) >= 20`.
struct breaking_point_expr {
  std::string text;        ///< as written
  threshold_expr gate;     ///< the threshold that must hold at every level up to the breaking point
  std::string parameter;   ///< the parameter stepped through; "" when not named (the test's only one)
  std::string op;          ///< the comparison of the breaking point (">="); "" for report only
  double limit = 0;        ///< the level the breaking point is compared with
  bool operator==(const breaking_point_expr&) const = default;
};

/// Whether `text` is a breaking point (starts with `breaking_point(`).
bool is_breaking_point(std::string_view text);

/// Parses a breaking point. The inner threshold is any threshold without `@level`; the
/// parameter an identifier; the tail empty or an operator and a finite number. Anything else:
/// usage_error quoting the text and showing the form.
breaking_point_expr parse_breaking_point(std::string_view text);

/// The expression parts an outcome of a gate across levels carries: a complexity gate's subject
/// (`wall.median` of `wall.median ~ O(n)`) or a breaking point's inner threshold, with `text`
/// the whole gate. Throws usage_error when `text` is neither or is malformed. The history import
/// checks a file's parts against this.
threshold_expr series_gate_parts(std::string_view text, const std::vector<std::string>& reported = {});

/// Whether `text` is a gate across levels: a complexity gate (has `~`) or a breaking point.
bool is_series_gate(std::string_view text);

}  // namespace perfcheck
