// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Growth of a metric across the levels of a sweep: which complexity class fits, and the
// log-log slope. Pure functions, no I/O; the methods are in docs/statistics.md.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace perfcheck::stats {

/// A complexity class g(n), in the order of growth (a later class grows faster).
enum class growth { constant, log_n, linear, n_log_n, quadratic, cubic };

/// Every class, slowest first.
inline constexpr std::array<growth, 6> all_growths = {growth::constant, growth::log_n, growth::linear,
                                                      growth::n_log_n, growth::quadratic, growth::cubic};

/// g(n): 1, ln n, n, n ln n, n^2, n^3. `n` > 0.
double growth_term(growth g, double n);

/// "1", "log n", "n", "n log n", "n^2", "n^3" (as in `O(...)`).
std::string_view growth_name(growth g);
/// The class growth_name gives `name`; nullopt for any other text.
std::optional<growth> growth_from_name(std::string_view name);

/// One observation: the metric `value` (> 0) at the numeric `level` n (> 0). A value that
/// summarizes several runs (the median of 10 runs) carries their number in `runs` (> 0), which
/// weighs it accordingly; a single run's sample has runs = 1.
struct complexity_point {
  double level = 0;
  double value = 0;
  double runs = 1;
};

/// How the points are weighted in the least-squares fits of the classes.
enum class complexity_weighting {
  relative,  ///< weight runs / value^2: the noise of a timing is a share of it (the default)
  equal,     ///< weight runs: the noise is the same in absolute terms at every level
};

/// The fit of one class, y = intercept + slope * g(n), by weighted least squares.
struct class_fit {
  growth cls = growth::constant;
  double intercept = 0;     ///< in the metric's unit
  double slope = 0;         ///< in the metric's unit per unit of g(n); 0 for the constant class
  double rss = 0;           ///< weighted residual sum of squares (floored, see fit_complexity)
  double log_likelihood = 0;///< Gaussian, with the variance at its maximum-likelihood value
  double aicc = 0;          ///< Hurvich & Tsai (1989): -2 ll + 2k + 2k(k + 1) / (N - k - 1)
  double bic = 0;           ///< Schwarz (1978): -2 ll + k ln N
  /// bic - 2 ln(prior): prior 1/2 for the constant class and 1/10 for each of the five growth
  /// classes, so that "it grows" and "it does not" weigh the same (see fit_complexity)
  double score = 0;
  bool admissible = true;   ///< false when slope <= 0: not a growth of this class
};

/// Least-squares slope of ln(value) on ln(level), weighted by runs, with its interval.
struct loglog_slope {
  double slope = 0;       ///< 1 for linear growth, 2 for quadratic; near 0 for constant
  double low = 0;         ///< lower end of the interval (Student's t, N - 2 degrees of freedom)
  double high = 0;        ///< upper end
  double confidence = 0;  ///< nominal confidence of [low, high]
};

/// What fit_complexity found.
struct complexity_fit {
  growth best = growth::constant;     ///< the admissible class with the smallest score
  std::vector<class_fit> candidates;  ///< every class, in the order of all_growths
  loglog_slope loglog;
  std::size_t points = 0;             ///< N
  std::size_t levels = 0;             ///< distinct levels
};

/// Checks the points (throws std::invalid_argument naming the point and what is wrong: a level,
/// value or runs not finite and positive, fewer than 3 distinct levels) and returns the weights.
std::vector<double> complexity_weights(std::span<const complexity_point> points,
                                       complexity_weighting weighting);

/// Fits every class with an intercept by weighted least squares and picks the admissible one
/// with the smallest score: BIC, an approximation of -2 ln of the marginal likelihood (Schwarz
/// 1978; Kass & Raftery 1995, §4.1.3), less 2 ln of the class's prior probability, so that the
/// choice is the class most probable a posteriori. Equal priors would give "it grows" 5/6 of
/// the prior and a constant metric a spurious growth class too often; the prior splits it 1/2 -
/// 1/2 (Scott & Berger 2010 on such multiplicity). Ties go to the slower class. Weighted RSS is
/// floored at N * 1e-18 * mean(w y^2), so that data without noise (a perfect fit) gives finite
/// criteria and ties between the classes that fit it exactly. `confidence` in (0, 1) is that of
/// the log-log slope interval (else std::invalid_argument). Constant data: the constant class,
/// log-log slope 0 with interval [0, 0]. Every class with slope <= 0: the constant class.
complexity_fit fit_complexity(std::span<const complexity_point> points,
                              complexity_weighting weighting = complexity_weighting::relative,
                              double confidence = 0.95);

namespace detail {

/// Weighted least squares of y on the columns (each of y's size; at most 4), by modified
/// Gram-Schmidt on the weighted, scaled columns. `se_last` is the standard error of the last
/// coefficient with the RSS floored at `rss_floor`. Throws std::invalid_argument when the
/// columns are (numerically) linearly dependent.
struct lstsq_result {
  std::vector<double> coefficients;
  double rss = 0;
  double se_last = 0;
};
lstsq_result weighted_lstsq(std::span<const std::vector<double>> columns, std::span<const double> y,
                            std::span<const double> w, double rss_floor);

/// N * 1e-18 * mean(w y^2): the RSS below which a fit counts as exact.
double rss_floor(std::span<const double> y, std::span<const double> w);

}  // namespace detail

}  // namespace perfcheck::stats
