// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/stats/growth_bound.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "perfcheck/stats/compare.hpp"

namespace perfcheck::stats {

double faster_term(growth bound, double n) {
  switch (bound) {
    case growth::constant: return growth_term(growth::log_n, n);
    case growth::log_n: return growth_term(growth::linear, n);
    case growth::linear: return growth_term(growth::n_log_n, n);
    case growth::n_log_n: return growth_term(growth::quadratic, n);
    case growth::quadratic: return growth_term(growth::cubic, n);
    case growth::cubic: return n * n * n * n;
  }
  return n;
}

namespace {

struct design {
  std::vector<std::vector<double>> null_cols, alt_cols;
};

design make_design(std::span<const complexity_point> points, growth bound) {
  design d;
  const std::size_t n = points.size();
  d.null_cols.emplace_back(n, 1.0);
  if (bound != growth::constant) {
    d.null_cols.emplace_back();
    for (const auto& p : points) d.null_cols.back().push_back(growth_term(bound, p.level));
  }
  d.alt_cols = d.null_cols;
  d.alt_cols.emplace_back();
  for (const auto& p : points) d.alt_cols.back().push_back(faster_term(bound, p.level));
  return d;
}

// t of the last coefficient; the floored RSS keeps it finite for an exact fit.
double t_of_extra(const design& d, std::span<const double> y, std::span<const double> w, double floor,
                  double* extra = nullptr) {
  const auto fit = detail::weighted_lstsq(d.alt_cols, y, w, floor);
  if (extra != nullptr) *extra = fit.coefficients.back();
  return fit.coefficients.back() / fit.se_last;
}

}  // namespace

bound_test test_growth_bound(std::span<const complexity_point> points, growth bound,
                             const bound_test_options& options) {
  if (options.replicates < 19) {
    throw std::invalid_argument("complexity bound test: " + std::to_string(options.replicates) +
                                " bootstrap replicates; use at least 19 (999 by default)");
  }
  const auto w = complexity_weights(points, options.weighting);
  if (points.size() < 4) {
    throw std::invalid_argument("complexity bound test: " + std::to_string(points.size()) +
                                " points; the test fits 3 coefficients and needs at least 4 points "
                                "(more levels, or every run rather than one summary per level)");
  }
  std::vector<double> y;
  for (const auto& p : points) y.push_back(p.value);
  const double floor = detail::rss_floor(y, w);
  const design d = make_design(points, bound);
  bound_test out;
  out.bound = bound;
  out.replicates = options.replicates;
  const auto null_fit = detail::weighted_lstsq(d.null_cols, y, w, floor);
  if (null_fit.rss <= floor) return out;  // the data lie on the null: nothing to test
  out.statistic = t_of_extra(d, y, w, floor, &out.extra);
  std::vector<double> fitted(y.size()), resid(y.size()), star(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    fitted[i] = 0;
    for (std::size_t j = 0; j < d.null_cols.size(); ++j) fitted[i] += null_fit.coefficients[j] * d.null_cols[j][i];
    resid[i] = y[i] - fitted[i];
  }
  std::mt19937_64 engine(options.seed);  // fully specified by the standard: same stream everywhere
  std::size_t at_least = 0;
  for (std::size_t b = 0; b < options.replicates; ++b) {
    for (std::size_t i = 0; i < y.size(); ++i) star[i] = fitted[i] + ((engine() >> 63) != 0 ? resid[i] : -resid[i]);
    if (t_of_extra(d, star, w, floor) >= out.statistic) ++at_least;
  }
  out.p_value = static_cast<double>(at_least + 1) / static_cast<double>(options.replicates + 1);
  return out;
}

std::vector<bound_decision> decide_bounds(std::span<const bound_gate> gates, double alpha) {
  if (!(alpha > 0 && alpha < 1)) {
    throw std::invalid_argument("complexity gates: alpha must be in (0, 1), got " + std::to_string(alpha));
  }
  std::vector<double> p;
  for (const auto& g : gates) p.push_back(g.p_value);
  const auto adjusted = holm_adjust(p);
  std::vector<bound_decision> out;
  for (std::size_t i = 0; i < gates.size(); ++i) {
    out.push_back({adjusted[i], gates[i].fitted > gates[i].bound && adjusted[i] < alpha});
  }
  return out;
}

}  // namespace perfcheck::stats
