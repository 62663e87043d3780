# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Expected values for tests/unit/trend_test.cpp, from numpy and scipy (independent of perfcheck).

Run it as stats_reference.py is run (see the opening comment there):
  PYTHONPATH=/tmp/scipy/usr/lib/python3/dist-packages /usr/bin/python3 <this script>
with Debian 12's python3-numpy (1.24.2) and the unpacked python3-scipy (1.10.1).

Theil-Sen: scipy.stats.theilslopes(y, x, alpha=confidence, method='separate').
Mann-Kendall: pymannkendall is not packaged for Debian 12 and cannot be installed here, so the
test is written out below from Mann (1945) and Kendall (1975), and checked two ways against
scipy.stats.kendalltau(range(n), y): S is the numerator of its tau-b (scipy's default variant;
with no ties in x, tau-b = S / sqrt(n0 (n0 - n_y)), n0 = n(n-1)/2, n_y = sum t(t-1)/2 over the
ties of y, and tau-b = tau-a when y has no ties either), and its asymptotic p-value, which is
the same normal test without the continuity correction, gives back Var(S) = (S / z)^2.
Every float is printed with repr().
"""

import math

import numpy as np
import scipy
from scipy import stats


def formula_series(n):
    """100 + 0.35 i + ((37 i) mod 11 - 5) / 4: a slow rise under a saw-tooth, with ties."""
    return [100 + 0.35 * i + ((i * 37) % 11 - 5) * 0.25 for i in range(n)]


# (name, x or None for 0..n-1, y); keep in step with the C++ test.
SERIES = {
    "sessions": (None, [12.1, 12.3, 12.2, 12.6, 12.5, 12.9, 13.4, 12.8, 13.1, 19.0]),
    "x_ties": ([1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 6.0, 6.0],
               [2.0, 2.5, 2.5, 3.5, 3.0, 4.5, 4.0, 6.0, 5.5, 6.5]),
    "two": ([3.0, 5.0], [10.0, 4.0]),
    "formula40": (None, formula_series(40)),
    "falling": (None, [50.0, 49.0, 49.0, 47.5, 48.0, 46.0, 46.0, 46.0, 44.0, 45.0, 43.0, 41.5]),
    "flat": (None, [5.0, 5.2, 4.9, 5.1, 5.0, 4.8, 5.2, 5.1, 4.9, 5.0]),
}
THEIL_CASES = [("sessions", 0.95), ("sessions", 0.80), ("x_ties", 0.95), ("two", 0.95),
               ("formula40", 0.95), ("formula40", 0.99), ("falling", 0.90)]
MK_SERIES = ["sessions", "formula40", "falling", "flat", "two"]
MK_EXTRA = {"equal": [3.0, 3.0, 3.0, 3.0], "three_up": [1.0, 2.0, 3.0]}


def mann_kendall(y, alpha=0.05):
    """Mann-Kendall test written out: S, tie-corrected Var(S), continuity-corrected z, p."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    s = sum(np.sign(y[j] - y[i]) for i in range(n) for j in range(i + 1, n))
    _, counts = np.unique(y, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts)) / 18
    if s > 0:
        z = (s - 1) / math.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / math.sqrt(var_s)
    else:
        z = 0.0
    p = 2 * stats.norm.sf(abs(z))
    tau = s / (n * (n - 1) / 2)
    trend = int(np.sign(s)) if p < alpha else 0
    return float(s), float(var_s), float(z), float(p), float(tau), trend


def main():
    print(f"# numpy {np.__version__}, scipy {scipy.__version__}")

    print("\n## scipy.stats.theilslopes(y, x, alpha=confidence, method='separate')")
    print("## {slope, intercept, low_slope, high_slope}")
    for name, confidence in THEIL_CASES:
        x, y = SERIES[name]
        x = np.arange(len(y), dtype=float) if x is None else np.asarray(x)
        r = stats.theilslopes(y, x, alpha=confidence, method="separate")
        print(f"{name}, {confidence}: {{{r.slope!r}, {r.intercept!r}, {r.low_slope!r}, "
              f"{r.high_slope!r}}}")

    print("\n## Mann-Kendall written out: {S, Var(S), z, p, tau-a, trend} at alpha 0.05")
    cases = {name: SERIES[name][1] for name in MK_SERIES}
    cases.update(MK_EXTRA)
    for name, y in cases.items():
        print(f"{name}: {{{', '.join(repr(v) for v in mann_kendall(y))}}}")

    print("\n## scipy.stats.kendalltau(range(n), y, method='asymptotic') (variant 'b')")
    for name, y in cases.items():
        n = len(y)
        r = stats.kendalltau(np.arange(n), y, method="asymptotic")
        n0 = n * (n - 1) / 2
        _, counts = np.unique(y, return_counts=True)
        n_y = sum(t * (t - 1) / 2 for t in counts)
        if math.isnan(r.statistic):
            print(f"{name}: tau-b nan (all y equal)")
            continue
        s = r.statistic * math.sqrt(n0 * (n0 - n_y))
        z = stats.norm.isf(r.pvalue / 2)
        var_s = (s / z) ** 2 if s != 0 and r.pvalue < 1 else float("nan")
        print(f"{name}: tau-b {r.statistic!r}, p {r.pvalue!r} -> S {s!r}, tau-a {s / n0!r}, "
              f"Var(S) {var_s!r}")


if __name__ == "__main__":
    main()
