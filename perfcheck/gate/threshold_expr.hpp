// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Evaluating threshold expressions (model/threshold.hpp) against a result.
#pragma once

#include <optional>
#include <string>

#include "perfcheck/model/result.hpp"
#include "perfcheck/model/threshold.hpp"

namespace perfcheck::gate {

using perfcheck::comparison;
using perfcheck::format_threshold_value;
using perfcheck::parse_threshold;
using perfcheck::threshold_expr;
using perfcheck::threshold_grammar_help;
using perfcheck::value_form;

/// The value of the expression's subject in `result`, or nullopt when the result does not
/// have it (e.g. a level that was not measured).
std::optional<double> measured_value(const threshold_expr& expr, const run_result& result);

/// Why a threshold on a reported metric (subject_source::reported) has no value in `result`:
/// the runs never reported it (or not every run did), or reported it in another kind of unit
/// than the limit's ("startup is reported as a duration (ms), but the limit '5MiB' is a size").
/// "" when it has a value, and for every other source.
std::string reported_problem(const threshold_expr& expr, const run_result& result);

/// Whether `value` satisfies the expression.
bool holds(const threshold_expr& expr, double value);

}  // namespace perfcheck::gate
