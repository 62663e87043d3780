# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Expected values for tests/unit/stats_test.cpp, from numpy and scipy (independent of perfcheck).

Run with Debian's interpreter:  /usr/bin/python3 tests/unit/reference/stats_reference.py
It needs Debian 12's python3-numpy (1.24.2) and python3-scipy (1.10.1). On a machine that
also has libboost1.81-dev, python3-scipy cannot be installed by apt (its dependency
python3-pythran wants libboost-dev 1.74); unpacking the package is enough for this script:
  apt-get download python3-scipy && dpkg -x python3-scipy_*.deb /tmp/scipy
  PYTHONPATH=/tmp/scipy/usr/lib/python3/dist-packages /usr/bin/python3 <this script>
Every float is printed with repr(), the shortest text that reads back as the same double.
"""

import math
from fractions import Fraction

import numpy as np
import scipy
from scipy import stats

# The samples the C++ test uses; keep both in step.
SAMPLES = {
    # 12 values, one even-n duplicate (10.2) and one slow run (25.7).
    "twelve": [10.2, 9.8, 10.5, 10.1, 9.9, 10.0, 10.3, 25.7, 10.4, 9.7, 10.6, 10.2],
    # 7 values, negative ones included: the functions are not limited to times.
    "seven": [3.0, -1.5, 2.25, 7.0, 0.5, 4.75, -2.0],
    # 10 wall times in nanoseconds (about 1.24 ms) with one cold run.
    "wall_ns": [1234567.0, 1250000.0, 1229876.0, 1301234.0, 1240000.0,
                1238765.0, 1245678.0, 1236543.0, 1900000.0, 1242000.0],
}
PROBS = [0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0]

MAD_TO_Z = 0.6745         # Iglewicz & Hoaglin's rounding of Phi^-1(0.75)
MEANAD_TO_SIGMA = 1.253314  # sqrt(pi / 2), rounded as IBM publishes it
MAD_TO_SIGMA = 1.4826      # 1 / Phi^-1(0.75), rounded as R's mad()


def modified_z(x, values):
    """Modified z-score of x against values, with the MeanAD fallback when MAD is 0."""
    values = np.asarray(values, dtype=float)
    center = np.median(values)
    spread = stats.median_abs_deviation(values, scale=1.0)
    if spread > 0:
        return MAD_TO_Z * (x - center) / spread
    mean_ad = np.mean(np.abs(values - center))
    if mean_ad > 0:
        return (x - center) / (MEANAD_TO_SIGMA * mean_ad)
    return 0.0 if x == center else math.copysign(math.inf, x - center)


def median_ci_k(n, confidence):
    """Largest 1-based k with P(k <= B <= n-k) >= confidence, B ~ Binomial(n, 1/2); 1 if none."""
    best = None
    for k in range(1, (n + 1) // 2 + 1):
        coverage = stats.binom.cdf(n - k, n, 0.5) - stats.binom.cdf(k - 1, n, 0.5)
        if coverage >= confidence:
            best = k
    return best if best is not None else 1


def exact_coverage(n, k):
    """The same coverage in exact rational arithmetic: sum of C(n, i) / 2^n for k <= i <= n-k."""
    return Fraction(sum(math.comb(n, i) for i in range(k, n - k + 1)), 2**n)


def main():
    print(f"# numpy {np.__version__}, scipy {scipy.__version__}")
    for name, values in SAMPLES.items():
        x = np.asarray(values, dtype=float)
        print(f"\n## sample {name} (n = {len(x)})")
        print(f"numpy.mean: {np.mean(x)!r}")
        print(f"numpy.std(ddof=1): {np.std(x, ddof=1)!r}")
        print(f"numpy.median: {np.median(x)!r}")
        mad = stats.median_abs_deviation(x, scale=1.0)
        print(f"scipy.stats.median_abs_deviation(scale=1.0): {mad!r}")
        print(f"robust CV 1.4826 * MAD / |median|: {MAD_TO_SIGMA * mad / abs(np.median(x))!r}")
        for p in PROBS:
            print(f"numpy.quantile(x, {p}, method='linear'): {np.quantile(x, p, method='linear')!r}")
        z = [modified_z(v, x) for v in x]
        print(f"modified z-scores: {[round(float(v), 6) for v in z]}")
        print(f"outliers |M| > 3.5: {[i for i, v in enumerate(z) if abs(v) > 3.5]}")
        k = median_ci_k(len(x), 0.95)
        s = np.sort(x)
        cov = stats.binom.cdf(len(x) - k, len(x), 0.5) - stats.binom.cdf(k - 1, len(x), 0.5)
        print(f"median 95% CI: k = {k}: [{s[k - 1]!r}, {s[len(x) - k]!r}], coverage {cov!r}")

    print("\n## modified z-score of an outside value x against sample wall_ns")
    for x in [1900000.0, 1300000.0, 1240000.0]:
        print(f"x = {x!r}: {modified_z(x, SAMPLES['wall_ns'])!r}")

    print("\n## MeanAD fallback (MAD = 0)")
    for values in ([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 9.0], [5.0, 5.0, 5.0, 6.0]):
        z = [modified_z(v, values) for v in values]
        print(f"{values}: MAD {stats.median_abs_deviation(values, scale=1.0)!r}, "
              f"M = {[float(v) for v in z]}, outliers {[i for i, v in enumerate(z) if abs(v) > 3.5]}")

    print("\n## median CI of 1..n: [k, n-k+1], coverage from scipy.stats.binom and exact")
    cases = [(n, 0.95) for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20, 30, 100, 1000)]
    cases += [(10, 0.90), (10, 0.99), (20, 0.90), (20, 0.99), (100, 0.99)]
    for n, confidence in cases:
        k = median_ci_k(n, confidence)
        cov = stats.binom.cdf(n - k, n, 0.5) - stats.binom.cdf(k - 1, n, 0.5)
        exact = exact_coverage(n, k)
        shown = f"{exact} = " if len(str(exact)) < 40 else ""
        print(f"{{{n}, {confidence}, {k}, {n - k + 1}, {cov!r}}},  // exact {shown}{float(exact)!r}")


if __name__ == "__main__":
    main()
