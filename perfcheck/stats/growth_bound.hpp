// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Testing a declared complexity bound ("grows no faster than g") with a wild bootstrap, and
// deciding several such gates together. Pure functions, no I/O; docs/statistics.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "perfcheck/stats/complexity.hpp"

namespace perfcheck::stats {

/// h(n), the term that the test of the bound g adds: the next faster class (log n for 1, n for
/// log n, ..., n^3 for n^2) and n^4 for n^3.
double faster_term(growth bound, double n);

struct bound_test_options {
  complexity_weighting weighting = complexity_weighting::relative;
  std::size_t replicates = 999;  ///< bootstrap resamples B (>= 19, else std::invalid_argument)
  std::uint64_t seed = 1;        ///< same seed, same points: same p-value, on every platform
};

/// The test of "the metric grows no faster than `bound`".
struct bound_test {
  growth bound = growth::constant;
  double extra = 0;      ///< c in y = a + b g(n) + c h(n): > 0 when the data bend upwards
  double statistic = 0;  ///< t = c / se(c), the weighted least-squares t statistic
  double p_value = 1;    ///< one-sided, (1 + #{t* >= t}) / (B + 1), in (0, 1]
  std::size_t replicates = 0;
};

/// Null y = a + b g(n), alternative y = a + b g(n) + c h(n) (faster_term), one-sided in c. The
/// wild bootstrap (Wu 1986; Liu 1988; Davidson & Flachaire 2008, Rademacher signs) resamples
/// y* = null fit + v_i * null residual with v_i = +-1, which keeps each point's own noise level,
/// refits the alternative and counts t* >= t (Davison & Hinkley 1997, §4.2.5 and eq. 4.11;
/// Efron & Tibshirani 1993, §16.4 on resampling under the null). Weights as fit_complexity.
/// Points checked as complexity_weights, and at least 4 points (else std::invalid_argument).
/// Data on the null fitted exactly (no noise): t 0 and p 1; an exact fit of the alternative
/// with c > 0: t is large and p = 1 / (B + 1).
bound_test test_growth_bound(std::span<const complexity_point> points, growth bound,
                             const bound_test_options& options = {});

/// One complexity gate of a test: its declared bound, its fitted class and its bound test.
struct bound_gate {
  growth bound = growth::constant;
  growth fitted = growth::constant;  ///< complexity_fit::best
  double p_value = 1;                ///< bound_test::p_value
};

struct bound_decision {
  double p_adjusted = 1;  ///< Holm-adjusted over the gates passed together
  bool exceeded = false;  ///< the fitted class grows faster than the bound and p_adjusted < alpha
};

/// Decides the gates of one test together: Holm (1979) over their p-values (holm_adjust), and a
/// gate fails only when its fitted class is also faster than its bound, so that a failure
/// always names a faster class. `alpha` in (0, 1) (else std::invalid_argument).
std::vector<bound_decision> decide_bounds(std::span<const bound_gate> gates, double alpha);

}  // namespace perfcheck::stats
