#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""An independent source for tests/unit/complexity_test.cpp, standard library only.

Nothing here shares code with perfcheck: least squares solves the normal equations X'WX b = X'Wy
exactly in rational arithmetic (fractions.Fraction), where perfcheck uses Gram-Schmidt in
floating point; the criteria are written from their definitions; Student's t comes from
compare_ratio_reference.py (numerical integration of the density). The wild-bootstrap p-value
is enumerated over all 2^N sign patterns, where perfcheck draws B random ones.
Checks against published values before printing:
- Anscombe (1973) data set I, as R's lm(y1 ~ x1) reports it: intercept 3.0000909, slope
  0.5000909, standard errors 1.1247 and 0.1179, residual standard error 1.237 on 9 df.
- Student's t table: t(0.975, 9) = 2.2622, t(0.975, 3) = 3.1824.
Run: python3 tests/unit/reference/complexity_reference.py
"""
import itertools
import math
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_ratio_reference import t_quantile  # noqa: E402

TERMS = {"1": lambda n: 1.0, "log n": math.log, "n": lambda n: float(n), "n log n": lambda n: n * math.log(n),
         "n^2": lambda n: float(n) * n, "n^3": lambda n: float(n) * n * n, "n^4": lambda n: float(n) ** 4}


def solve(a, b):
    """Gauss-Jordan elimination on Fractions: the exact solution of a x = b, and a's inverse."""
    m = len(a)
    aug = [row[:] + [b[i]] + [Fraction(int(i == j)) for j in range(m)] for i, row in enumerate(a)]
    for c in range(m):
        piv = next(r for r in range(c, m) if aug[r][c] != 0)
        aug[c], aug[piv] = aug[piv], aug[c]
        p = aug[c][c]
        aug[c] = [v / p for v in aug[c]]
        for r in range(m):
            if r != c and aug[r][c] != 0:
                f = aug[r][c]
                aug[r] = [v - f * u for v, u in zip(aug[r], aug[c])]
    return [aug[i][m] for i in range(m)], [aug[i][m + 1:] for i in range(m)]


def wls(cols, y, w):
    """Exact weighted least squares: coefficients, RSS, standard error of the last coefficient."""
    cols = [[Fraction(v) for v in c] for c in cols]
    yf, wf = [Fraction(v) for v in y], [Fraction(v) for v in w]
    xtx = [[sum(wi * ci * cj for wi, ci, cj in zip(wf, a, b)) for b in cols] for a in cols]
    xty = [sum(wi * ci * yi for wi, ci, yi in zip(wf, a, yf)) for a in cols]
    beta, inv = solve(xtx, xty)
    rss = sum(wi * (yi - sum(b * c[i] for b, c in zip(beta, cols))) ** 2 for i, (wi, yi) in enumerate(zip(wf, yf)))
    df = len(y) - len(cols)
    se_last = math.sqrt(float(rss) / df * float(inv[-1][-1])) if df > 0 else 0.0
    return [float(b) for b in beta], float(rss), se_last


def criteria(rss, w, k):
    """Gaussian log-likelihood with known relative weights, AICc (inf when N - k - 1 <= 0) and BIC."""
    n = len(w)
    ll = -n / 2 * (math.log(2 * math.pi * rss / n) + 1) + sum(math.log(v) for v in w) / 2
    aicc = -2 * ll + 2 * k + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.inf
    return ll, aicc, -2 * ll + k * math.log(n)


def check_published():
    x = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
    y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]
    (a, b), rss, se_b = wls([[1.0] * 11, [float(v) for v in x]], y, [1.0] * 11)
    _, _, se_a = wls([[float(v) for v in x], [1.0] * 11], y, [1.0] * 11)
    assert abs(a - 3.0000909) < 5e-8 and abs(b - 0.5000909) < 5e-8, (a, b)
    assert abs(se_a - 1.1247) < 5e-5 and abs(se_b - 0.1179) < 5e-5, (se_a, se_b)
    assert abs(math.sqrt(rss / 9) - 1.237) < 5e-4
    assert abs(t_quantile(0.975, 9) - 2.2622) < 5e-5 and abs(t_quantile(0.975, 3) - 3.1824) < 5e-5


def class_fits(levels, values, runs, relative=True):
    w = [r / (v * v) if relative else r for v, r in zip(values, runs)]
    out = []
    for name in ["1", "log n", "n", "n log n", "n^2", "n^3"]:
        cols = [[1.0] * len(levels)] + ([] if name == "1" else [[TERMS[name](n) for n in levels]])
        beta, rss, _ = wls(cols, values, w)
        ll, aicc, bic = criteria(rss, w, len(cols) + 1)
        out.append((name, beta[0], beta[1] if len(beta) > 1 else 0.0, rss, ll, aicc, bic))
    return out


def loglog(levels, values, runs, confidence):
    lx, ly = [math.log(v) for v in levels], [math.log(v) for v in values]
    (_, slope), _, se = wls([[1.0] * len(lx), lx], ly, runs)
    half = t_quantile(1 - (1 - confidence) / 2, len(lx) - 2) * se
    return slope, slope - half, slope + half


def t_extra(levels, y, w, bound, faster):
    cols = [[1.0] * len(levels)] + ([] if bound == "1" else [[TERMS[bound](n) for n in levels]])
    cols.append([TERMS[faster](n) for n in levels])
    beta, _, se = wls(cols, y, w)
    return beta[-1] / se


def exact_wild_p(levels, values, bound, faster):
    """The wild bootstrap's p over all 2^N Rademacher patterns (the limit of B -> infinity)."""
    w = [1 / (v * v) for v in values]
    cols = [[1.0] * len(levels)] + ([] if bound == "1" else [[TERMS[bound](n) for n in levels]])
    beta, _, _ = wls(cols, values, w)
    fit = [sum(b * c[i] for b, c in zip(beta, cols)) for i in range(len(levels))]
    res = [v - f for v, f in zip(values, fit)]
    t0 = t_extra(levels, values, w, bound, faster)
    hits = sum(t_extra(levels, [f + s * r for f, s, r in zip(fit, signs, res)], w, bound, faster) >= t0
               for signs in itertools.product([1, -1], repeat=len(levels)))
    return t0, hits / 2 ** len(levels)


# The data of complexity_test.cpp; keep the two in step.
SWEEP_N = [10, 10, 50, 50, 100, 100, 200, 200, 500, 500]
SWEEP_Y = [2.31, 2.24, 3.98, 4.07, 6.71, 6.52, 12.8, 12.3, 33.1, 32.2]
MEDIAN_N = [16, 64, 256, 1024]
MEDIAN_Y = [0.52, 1.9, 8.3, 31.0]
MEDIAN_RUNS = [10, 10, 12, 9]
# Flat with noise: BIC alone prefers n^3 by 2.65, less than the prior's 2 ln 5 = 3.22.
FLAT_N = [10, 10, 100, 100, 1000, 1000]
FLAT_Y = [1.00, 1.03, 1.01, 0.99, 1.03, 1.04]
BOOT_N = [10, 20, 50, 100, 200, 500, 1000, 2000]
BOOT_Y = [1.3, 2.05, 5.2, 10.9, 20.1, 53.0, 101.0, 212.0]

if __name__ == "__main__":
    check_published()
    print("sweep, relative weights: class intercept slope rss loglik aicc bic")
    for row in class_fits(SWEEP_N, SWEEP_Y, [1] * len(SWEEP_N)):
        print("  " + " ".join(repr(v) for v in row))
    print("sweep, equal weights, class n:", class_fits(SWEEP_N, SWEEP_Y, [1] * len(SWEEP_N), relative=False)[2])
    print("sweep log-log 0.95:", loglog(SWEEP_N, SWEEP_Y, [1] * len(SWEEP_N), 0.95))
    print("medians with runs, relative weights:")
    for row in class_fits(MEDIAN_N, MEDIAN_Y, MEDIAN_RUNS):
        print("  " + " ".join(repr(v) for v in row))
    print("medians log-log 0.90:", loglog(MEDIAN_N, MEDIAN_Y, MEDIAN_RUNS, 0.90))
    print("flat, relative weights: class slope bic")
    for row in class_fits(FLAT_N, FLAT_Y, [1] * len(FLAT_N)):
        print(f"  {row[0]} {row[2]!r} {row[6]!r}")
    print("wild bootstrap, bound n (extra n log n): t, exact p:", exact_wild_p(BOOT_N, BOOT_Y, "n", "n log n"))
    print("wild bootstrap, bound n log n (extra n^2): t, exact p:", exact_wild_p(BOOT_N, BOOT_Y, "n log n", "n^2"))
