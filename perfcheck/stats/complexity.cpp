// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/stats/complexity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/students_t.hpp>

namespace perfcheck::stats {

double growth_term(growth g, double n) {
  switch (g) {
    case growth::constant: return 1;
    case growth::log_n: return std::log(n);
    case growth::linear: return n;
    case growth::n_log_n: return n * std::log(n);
    case growth::quadratic: return n * n;
    case growth::cubic: return n * n * n;
  }
  return 1;
}

std::string_view growth_name(growth g) {
  switch (g) {
    case growth::constant: return "1";
    case growth::log_n: return "log n";
    case growth::linear: return "n";
    case growth::n_log_n: return "n log n";
    case growth::quadratic: return "n^2";
    case growth::cubic: return "n^3";
  }
  return "1";
}

std::optional<growth> growth_from_name(std::string_view name) {
  for (growth g : all_growths) {
    if (growth_name(g) == name) return g;
  }
  return std::nullopt;
}

namespace {

bool finite_positive(double v) { return std::isfinite(v) && v > 0; }

std::string point_error(std::size_t i, const complexity_point& p, const char* what) {
  return "complexity fit: point " + std::to_string(i + 1) + " (level " + std::to_string(p.level) +
         ", value " + std::to_string(p.value) + ", runs " + std::to_string(p.runs) + "): " + what;
}

double dot(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

std::vector<double> complexity_weights(std::span<const complexity_point> points,
                                       complexity_weighting weighting) {
  std::vector<double> w;
  std::set<double> levels;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (!finite_positive(p.level)) throw std::invalid_argument(point_error(i, p, "the level must be a positive number"));
    if (!finite_positive(p.value)) {
      throw std::invalid_argument(point_error(i, p, "the value must be positive (a time, a size, a count above 0)"));
    }
    if (!finite_positive(p.runs)) throw std::invalid_argument(point_error(i, p, "runs must be positive"));
    levels.insert(p.level);
    w.push_back(weighting == complexity_weighting::relative ? p.runs / (p.value * p.value) : p.runs);
  }
  if (levels.size() < 3) {
    throw std::invalid_argument("complexity fit: " + std::to_string(levels.size()) +
                                " distinct level(s); every class with an intercept fits two levels exactly, so "
                                "at least 3 distinct levels are needed (for example n = 10 100 1000)");
  }
  return w;
}

namespace detail {

double rss_floor(std::span<const double> y, std::span<const double> w) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += w[i] * y[i] * y[i];
  return 1e-18 * s;  // N * 1e-18 * mean(w y^2)
}

lstsq_result weighted_lstsq(std::span<const std::vector<double>> columns, std::span<const double> y,
                            std::span<const double> w, double floor) {
  const std::size_t n = y.size(), p = columns.size();
  std::vector<std::vector<double>> q(p, std::vector<double>(n));
  std::vector<std::vector<double>> r(p, std::vector<double>(p, 0));
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t i = 0; i < n; ++i) q[j][i] = std::sqrt(w[i]) * columns[j][i];
    const double norm = std::sqrt(dot(q[j], q[j]));
    for (std::size_t k = 0; k < j; ++k) {
      r[k][j] = dot(q[k], q[j]);
      for (std::size_t i = 0; i < n; ++i) q[j][i] -= r[k][j] * q[k][i];
    }
    r[j][j] = std::sqrt(dot(q[j], q[j]));
    if (!(r[j][j] > 1e-10 * norm)) {
      throw std::invalid_argument("complexity fit: the levels cannot tell the terms apart (collinear columns); "
                                  "spread the levels wider, for example geometrically");
    }
    for (auto& v : q[j]) v /= r[j][j];
  }
  std::vector<double> resid(n), z(p);
  for (std::size_t i = 0; i < n; ++i) resid[i] = std::sqrt(w[i]) * y[i];
  for (std::size_t j = 0; j < p; ++j) {
    z[j] = dot(q[j], resid);
    for (std::size_t i = 0; i < n; ++i) resid[i] -= z[j] * q[j][i];
  }
  lstsq_result out;
  out.coefficients.assign(p, 0);
  for (std::size_t j = p; j-- > 0;) {
    double s = z[j];
    for (std::size_t k = j + 1; k < p; ++k) s -= r[j][k] * out.coefficients[k];
    out.coefficients[j] = s / r[j][j];
  }
  out.rss = dot(resid, resid);
  const double df = n > p ? static_cast<double>(n - p) : 1;
  out.se_last = std::sqrt(std::max(out.rss, floor) / df) / r[p - 1][p - 1];
  return out;
}

}  // namespace detail

namespace {

class_fit fit_class(growth g, std::span<const complexity_point> points, std::span<const double> y,
                    std::span<const double> w, double floor, double sum_log_w) {
  std::vector<std::vector<double>> cols{std::vector<double>(points.size(), 1.0)};
  if (g != growth::constant) {
    cols.emplace_back();
    for (const auto& p : points) cols.back().push_back(growth_term(g, p.level));
  }
  const auto ls = detail::weighted_lstsq(cols, y, w, floor);
  class_fit f;
  f.cls = g;
  f.intercept = ls.coefficients[0];
  f.slope = g == growth::constant ? 0 : ls.coefficients[1];
  f.rss = std::max(ls.rss, floor);
  f.admissible = g == growth::constant || f.slope > 0;
  const double n = static_cast<double>(points.size());
  const double k = static_cast<double>(cols.size() + 1);  // coefficients and the variance
  f.log_likelihood = -n / 2 * (std::log(2 * std::numbers::pi * f.rss / n) + 1) + sum_log_w / 2;
  f.bic = -2 * f.log_likelihood + k * std::log(n);
  const double prior = g == growth::constant ? 0.5 : 0.1;
  f.score = f.bic - 2 * std::log(prior);
  f.aicc = n - k - 1 > 0 ? -2 * f.log_likelihood + 2 * k + 2 * k * (k + 1) / (n - k - 1)
                         : std::numeric_limits<double>::infinity();
  return f;
}

loglog_slope fit_loglog(std::span<const complexity_point> points, double confidence) {
  std::vector<double> lx, ly, w;
  for (const auto& p : points) {
    lx.push_back(std::log(p.level));
    ly.push_back(std::log(p.value));
    w.push_back(p.runs);
  }
  const std::vector<std::vector<double>> cols{std::vector<double>(points.size(), 1.0), lx};
  const auto ls = detail::weighted_lstsq(cols, ly, w, 0);
  loglog_slope out;
  out.slope = ls.coefficients[1];
  out.confidence = confidence;
  const double df = static_cast<double>(points.size() - 2);
  const double half = ls.rss > 0 ? boost::math::quantile(boost::math::students_t(df), 1 - (1 - confidence) / 2) *
                                       ls.se_last
                                 : 0;
  out.low = out.slope - half;
  out.high = out.slope + half;
  return out;
}

}  // namespace

complexity_fit fit_complexity(std::span<const complexity_point> points, complexity_weighting weighting,
                              double confidence) {
  if (!(confidence > 0 && confidence < 1)) {
    throw std::invalid_argument("complexity fit: confidence must be in (0, 1), got " + std::to_string(confidence));
  }
  const auto w = complexity_weights(points, weighting);
  std::vector<double> y;
  double sum_log_w = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    y.push_back(points[i].value);
    sum_log_w += std::log(w[i]);
  }
  const double floor = detail::rss_floor(y, w);
  complexity_fit out;
  out.points = points.size();
  std::set<double> levels;
  for (const auto& p : points) levels.insert(p.level);
  out.levels = levels.size();
  const class_fit* best = nullptr;
  for (growth g : all_growths) {
    out.candidates.push_back(fit_class(g, points, y, w, floor, sum_log_w));
  }
  for (const auto& c : out.candidates) {
    if (c.admissible && (best == nullptr || c.score < best->score)) best = &c;
  }
  out.best = best->cls;  // the constant class is always admissible
  out.loglog = fit_loglog(points, confidence);
  return out;
}

}  // namespace perfcheck::stats
