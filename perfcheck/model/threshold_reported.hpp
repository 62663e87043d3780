// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The part of the threshold grammar for metrics the command reports (docs/metrics.md):
// threshold.cpp's parse_threshold calls these; no one else needs them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/model/threshold.hpp"

namespace perfcheck::detail {

/// "<name>.<statistic>", "<name>.rate" (its median) or "<name>.rate.<statistic>", `name` one of
/// `reported`: fills expr's metric, statistic and source. False when lhs names none of them;
/// throws usage_error for a declared name without a statistic or with an unknown one.
bool read_reported_subject(std::string_view text, std::string_view lhs,
                           const std::vector<std::string>& reported, threshold_expr& expr);

/// The limit of a reported subject, its unit giving the kind ("500ms", "75%", "333/s", "3"); a
/// counter's rate needs a rate. Sets expr.kind and expr.form; returns the base-unit value.
double read_reported_limit(std::string_view text, threshold_expr& expr, std::string_view value);

}  // namespace perfcheck::detail
