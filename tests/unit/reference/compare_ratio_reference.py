#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""An independent source for tests/unit/compare_ratio_test.cpp, standard library only.

Nothing here shares code with perfcheck: the binomial CDF is summed from math.comb, Student's t
CDF is Simpson's rule over the density (math.lgamma), and its quantile a bisection on that CDF.
Checks against published tables before printing:
- Conover, Practical Nonparametric Statistics (3rd ed.), §3.2: for n = 20 the 95% interval of
  the median is (X(6), X(15)), coverage 0.9586.
- Student's t table: t(0.995, 8) = 3.3554, t(0.975, 10) = 2.2281.
Run: python3 tests/unit/reference/compare_ratio_reference.py
"""
import math


def binom_cdf(k, n, q):
    return sum(math.comb(n, i) * q**i * (1 - q) ** (n - i) for i in range(0, k + 1)) if k >= 0 else 0.0


def quantile_ranks(n, q, confidence):
    """Equal-tailed order-statistic interval X(low) <= xi_q < X(high); 0 / n + 1 when missing."""
    tail = (1 - confidence) / 2
    low = 0
    for r in range(n, 0, -1):
        if binom_cdf(r - 1, n, q) <= tail:
            low = r
            break
    high = n + 1
    for r in range(1, n + 1):
        if binom_cdf(r - 1, n, q) >= 1 - tail:
            high = r
            break
    below = 0.0 if low == 0 else binom_cdf(low - 1, n, q)
    upto = 1.0 if high > n else binom_cdf(high - 1, n, q)
    return low, high, upto - below


def t_pdf(x, df):
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return c * (1 + x * x / df) ** (-(df + 1) / 2)


def t_cdf(x, df, steps=20000):
    """P(T <= x) for x >= 0: 1/2 + Simpson's rule over [0, x]."""
    if x < 0:
        return 1 - t_cdf(-x, df, steps)
    h = x / steps
    s = t_pdf(0, df) + t_pdf(x, df)
    for i in range(1, steps):
        s += (4 if i % 2 else 2) * t_pdf(i * h, df)
    return 0.5 + s * h / 3


def t_quantile(p, df):
    lo, hi = 0.0, 100.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def mean(v):
    return sum(v) / len(v)


def var(v):
    m = mean(v)
    return sum((x - m) ** 2 for x in v) / (len(v) - 1)


def mean_ratio(b, c, confidence, null=0.0):
    mb, mc = mean(b), mean(c)
    a = var(b) / (len(b) * mb * mb)
    d = var(c) / (len(c) * mc * mc)
    df = (a + d) ** 2 / (a * a / (len(b) - 1) + d * d / (len(c) - 1))
    se = math.sqrt(a + d)
    lr = math.log(mc / mb)
    half = t_quantile(1 - (1 - confidence) / 2, df) * se
    p = 2 * (1 - t_cdf(abs(lr - math.log1p(null)) / se, df))
    return mc / mb - 1, math.exp(lr - half) - 1, math.exp(lr + half) - 1, df, p


def check_tables():
    low, high, cov = quantile_ranks(20, 0.5, 0.95)
    assert (low, high) == (6, 15) and abs(cov - 0.9586) < 5e-5, (low, high, cov)
    assert abs(t_quantile(0.995, 8) - 3.3554) < 5e-5
    assert abs(t_quantile(0.975, 10) - 2.2281) < 5e-5


BASE = [10.0, 12.0, 14.0, 16.0, 18.0]
CAND = [x * 1.2 for x in BASE]  # equal relative spread: Welch df = 2 (5 - 1) = 8
UNEQ_B = [101.0, 97.5, 103.2, 99.8, 100.4, 98.9, 102.1]
UNEQ_C = [118.0, 109.5, 125.3, 112.2, 121.7, 115.0, 108.4, 119.9, 123.6, 111.1]
# 20 timings each, the candidate about 10% slower.
TWENTY_B = [5.22, 5.35, 5.47, 5.18, 5.29, 5.51, 5.38, 5.44, 5.05, 5.31,
            5.56, 5.27, 5.42, 5.36, 5.19, 5.49, 5.24, 5.58, 5.34, 5.40]
TWENTY_C = [5.81, 5.93, 6.02, 5.74, 5.88, 6.10, 5.97, 5.69, 6.05, 5.85,
            5.91, 6.15, 5.79, 5.99, 5.83, 6.08, 5.95, 5.77, 6.01, 5.87]

if __name__ == "__main__":
    check_tables()
    print("quantile ranks (n, q, confidence) -> low, high, coverage")
    for n, q, conf in [(20, 0.5, 0.95), (30, 0.9, 0.99), (150, 0.95, math.sqrt(0.99)), (117, 0.95, math.sqrt(0.99)),
                       (116, 0.95, math.sqrt(0.99))]:
        low, high, cov = quantile_ranks(n, q, conf)
        print(f"  ({n}, {q}, {conf!r}) -> {low}, {high}, {cov!r}")
    print("min runs: p95 at sqrt(0.99):", next(n for n in range(1, 10000)
                                              if (lambda r: r[0] >= 1 and r[1] <= n)(quantile_ranks(n, 0.95, math.sqrt(0.99)))))
    for name, b, c in [("equal", BASE, CAND), ("unequal", UNEQ_B, UNEQ_C)]:
        est, lo, hi, df, p = mean_ratio(b, c, 0.99)
        print(f"mean ratio {name} 0.99: estimate {est!r} interval [{lo!r}, {hi!r}] df {df!r} p {p!r}")
    est, lo, hi, df, p = mean_ratio(UNEQ_B, UNEQ_C, 0.95, null=0.2)
    print(f"mean ratio unequal 0.95 null +20%: p {p!r}")
    # Ratio of medians, n = 20 each at 0.9025 = 0.95^2: Conover's ranks (6, 15) on both sides.
    b, c = sorted(TWENTY_B), sorted(TWENTY_C)
    low, high, cov = quantile_ranks(20, 0.5, 0.95)
    print(f"median ratio 0.9025: interval [{c[low - 1] / b[high - 1] - 1!r}, {c[high - 1] / b[low - 1] - 1!r}] "
          f"coverage {cov * cov!r}")
    # Its p-value of "no change": the smallest alpha whose interval (each side at sqrt(1 - alpha))
    # lies wholly above 0, by bisection.
    def excludes(alpha):
        lo_r, hi_r, _ = quantile_ranks(20, 0.5, math.sqrt(1 - alpha))
        return lo_r >= 1 and hi_r <= 20 and c[lo_r - 1] / b[hi_r - 1] > 1
    lo, hi = 0.0, 1 - 1e-9
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if excludes(mid) else (mid, hi)
    print(f"median ratio p of no change: {hi!r}")
