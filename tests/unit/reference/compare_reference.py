# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Expected values for tests/unit/compare_test.cpp, from numpy and scipy (independent of perfcheck).

Run it as stats_reference.py is run (see the opening comment there):
  PYTHONPATH=/tmp/scipy/usr/lib/python3/dist-packages /usr/bin/python3 <this script>
with Debian 12's python3-numpy (1.24.2) and the unpacked python3-scipy (1.10.1).
statsmodels is not available here: Holm and Wilson are computed directly from their published
formulas below (and by R in compare_reference.R). Every float is printed with repr().
"""

import math

import numpy as np
import scipy
from scipy import stats
from scipy.stats._mannwhitneyu import _mwu_state  # scipy's exact null distribution of U

# The samples of the C++ test; keep both in step.
SAMPLES = {
    # Hollander & Wolfe (1973), p. 69 (R's ?wilcox.test): permeability constants of the human
    # chorioamnion at term (x) and at 12 to 26 weeks (y).
    "hw_x": [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
    "hw_y": [1.15, 0.88, 0.90, 0.74, 1.21],
    # 5 and 5, no ties.
    "small_b": [1.1, 2.3, 3.0, 4.8, 5.2],
    "small_c": [2.9, 6.1, 7.4, 8.0, 9.3],
    # 4 and 7, no ties.
    "uneq_b": [10.5, 12.25, 9.75, 11.0],
    "uneq_c": [11.5, 13.0, 12.75, 14.5, 10.25, 13.5, 12.5],
    # 8 and 20, no ties: the largest size for which scipy's 'auto' still picks the exact p.
    "eight": [5.01, 5.33, 4.87, 5.12, 5.25, 4.95, 5.41, 5.08],
    "twenty": [5.22, 5.35, 5.47, 5.18, 5.29, 5.51, 5.38, 5.44, 5.05, 5.31,
               5.56, 5.27, 5.42, 5.36, 5.19, 5.49, 5.24, 5.58, 5.34, 5.40],
    # 9 and 9, no ties: both above 8, so 'auto' is asymptotic.
    "nine_b": [20.1, 19.4, 21.3, 20.8, 19.9, 20.5, 21.0, 19.7, 20.3],
    "nine_c": [20.9, 21.6, 20.2, 21.9, 22.4, 21.2, 20.6, 22.0, 21.4],
    # 6 and 5 with ties (within and across the samples).
    "tied_b": [3.0, 3.0, 4.0, 5.0, 5.0, 6.0],
    "tied_c": [4.0, 5.0, 6.0, 6.0, 7.0],
    # 30 and 40 timings rounded to 0.1 ms: many ties (numpy.random.RandomState(20240611)
    # lognormal, printed once and frozen here).
    "rounded_b": [11.1, 12.1, 11.5, 12.4, 11.4, 11.3, 12.0, 12.4, 11.7, 13.2, 13.0, 12.1, 11.7,
                  12.4, 13.1, 12.5, 11.6, 12.9, 12.5, 12.0, 11.4, 11.6, 11.7, 13.3, 10.7, 11.7,
                  12.5, 12.2, 13.3, 11.8],
    "rounded_c": [12.3, 13.0, 12.6, 11.6, 12.3, 12.0, 13.0, 13.2, 13.0, 11.6, 13.3, 12.0, 12.3,
                  12.7, 11.9, 13.2, 11.1, 12.9, 12.9, 12.6, 11.5, 11.9, 12.9, 13.6, 11.4, 12.5,
                  12.0, 11.7, 12.9, 11.9, 11.9, 12.2, 11.6, 11.9, 12.0, 12.5, 12.4, 11.5, 12.7,
                  12.9],
    # 60 and 55 with no ties: both at least 50, so the interval uses the normal approximation.
    "large_b": [1052.646, 966.16, 1012.075, 948.45, 1016.819, 1006.874, 1047.021, 931.851,
                1090.238, 1028.389, 978.518, 999.877, 1026.799, 1015.369, 974.341, 986.506,
                1005.649, 999.614, 1007.953, 966.888, 965.368, 990.067, 1043.262, 982.259,
                966.41, 962.818, 957.841, 1047.409, 1009.169, 957.621, 1017.545, 1027.014,
                1008.337, 1014.818, 999.517, 970.99, 970.058, 963.335, 1037.625, 998.318,
                1027.854, 1007.605, 969.415, 949.771, 950.148, 1019.657, 1049.0, 1007.594,
                994.992, 975.404, 1010.79, 1048.973, 978.356, 986.185, 965.28, 963.929,
                1009.497, 973.704, 973.921, 988.434],
    "large_c": [1045.217, 1014.547, 1003.908, 1040.698, 1026.718, 1008.046, 963.041, 1049.841,
                1029.687, 995.901, 1023.039, 1046.19, 1001.356, 1037.258, 976.993, 1055.764,
                1032.517, 1037.368, 980.458, 990.538, 1025.466, 1031.19, 1034.301, 1041.309,
                968.105, 1027.622, 988.886, 977.246, 1055.317, 1063.572, 1021.409, 1002.056,
                1009.058, 1023.701, 1041.558, 1003.885, 1056.073, 1054.232, 1021.29, 1043.019,
                1061.232, 1007.783, 991.282, 970.322, 1064.006, 1037.696, 1001.5, 1015.248,
                987.508, 1053.736, 1018.652, 961.465, 1018.175, 1052.265, 1037.102],
    "equal_b": [7.0, 7.0, 7.0],
    "equal_c": [7.0, 7.0, 7.0, 7.0],
}

# (baseline, candidate, method) for mannwhitneyu(baseline, candidate, ...).
MW_CASES = [
    ("hw_y", "hw_x", "auto"), ("hw_x", "hw_y", "auto"),
    ("small_b", "small_c", "auto"), ("small_b", "small_c", "asymptotic"),
    ("uneq_b", "uneq_c", "auto"), ("eight", "twenty", "auto"), ("eight", "twenty", "asymptotic"),
    ("nine_b", "nine_c", "auto"), ("nine_b", "nine_c", "exact"),
    ("tied_b", "tied_c", "auto"), ("tied_b", "tied_c", "exact"),
    ("rounded_b", "rounded_c", "auto"), ("large_b", "large_c", "auto"),
    ("equal_b", "equal_c", "auto"),
]

# (baseline, candidate, confidence) for the Hodges-Lehmann shift.
HL_CASES = [
    ("hw_y", "hw_x", 0.95), ("hw_y", "hw_x", 0.99), ("small_b", "small_c", 0.99),
    ("small_b", "small_c", 0.90), ("uneq_b", "uneq_c", 0.95), ("eight", "twenty", 0.99),
    ("tied_b", "tied_c", 0.95), ("rounded_b", "rounded_c", 0.99), ("large_b", "large_c", 0.99),
    ("large_b", "large_c", 0.95),
]

# (n1, n2, k) for P(U <= k), scipy's exact distribution.
CDF_CASES = [(1, 1, 0), (3, 4, 2), (5, 5, 0), (5, 5, 7), (5, 5, 12), (5, 5, 20), (8, 20, 31),
             (8, 20, 80), (10, 10, 16), (10, 10, 17), (20, 25, 150), (30, 30, 300),
             (40, 45, 600), (3, 300, 200)]

HOLM_CASES = [
    [0.01, 0.04, 0.03, 0.005],
    [0.2, 0.001, 0.03, 0.03, 0.9, 0.012],
    [0.5],
    [0.3, 0.3, 0.6],
]

WILSON_CASES = [(81, 263, 0.95), (15, 148, 0.95), (0, 20, 0.95), (1, 29, 0.95), (29, 29, 0.95),
                (7, 10, 0.99), (50, 1000, 0.90)]


def mw_exact_rank(n1, n2, confidence):
    """Largest C with P(U <= C-1) <= (1-confidence)/2 (exact), capped at (n1 n2 + 1)//2; 1 if none."""
    tail = (1 - confidence) / 2
    max_rank = (n1 * n2 + 1) // 2
    cdf = _mwu_state.cdf(np.arange(0, max_rank), n1, n2)
    rank = 1
    while rank < max_rank and cdf[rank] <= tail:
        rank += 1
    return rank, 1 - 2 * cdf[rank - 1]


def mw_normal_rank(n1, n2, confidence):
    """Hollander & Wolfe eq. 4.41 with the continuity correction: floor(mn/2 - z sigma + 1/2)."""
    mean = n1 * n2 / 2
    sigma = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    rank = int(min(max(math.floor(mean - z * sigma + 0.5), 1), (n1 * n2 + 1) // 2))
    return rank, 1 - 2 * stats.norm.cdf((rank - 0.5 - mean) / sigma)


def hodges_lehmann(b, c, confidence):
    b = np.asarray(b, dtype=float)
    c = np.asarray(c, dtype=float)
    diffs = np.sort((c[np.newaxis, :] - b[:, np.newaxis]).ravel())
    if len(b) < 50 and len(c) < 50:
        rank, coverage = mw_exact_rank(len(b), len(c), confidence)
    else:
        rank, coverage = mw_normal_rank(len(b), len(c), confidence)
    return np.median(diffs), diffs[rank - 1], diffs[len(diffs) - rank], coverage, rank


def holm(p):
    """Holm (1979) written out: ascending p, multiply by m, m-1, ..., 1, running maximum, cap 1."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for j, i in enumerate(order):
        running = max(running, min(1.0, (m - j) * p[i]))
        out[i] = running
    return out


def wilson(x, n, confidence):
    """statsmodels.stats.proportion.proportion_confint(method='wilson'), written out."""
    q = x / n
    crit = stats.norm.isf((1 - confidence) / 2)
    crit2 = crit**2
    denom = 1 + crit2 / n
    center = (q + crit2 / (2 * n)) / denom
    dist = crit * np.sqrt(q * (1 - q) / n + crit2 / (4 * n**2)) / denom
    return center - dist, center + dist


def main():
    print(f"# numpy {np.__version__}, scipy {scipy.__version__}")

    print("\n## scipy.stats.mannwhitneyu(b, c, use_continuity=True, alternative='two-sided', method=m)")
    for b, c, method in MW_CASES:
        r = stats.mannwhitneyu(SAMPLES[b], SAMPLES[c], use_continuity=True,
                               alternative="two-sided", method=method)
        print(f"{b}, {c}, {method}: U = {r.statistic!r}, p = {r.pvalue!r}")

    print("\n## exact P(U <= k): scipy.stats._mannwhitneyu._mwu_state.cdf(k, n1, n2)")
    for n1, n2, k in CDF_CASES:
        print(f"{{{n1}, {n2}, {k}, {_mwu_state.cdf(np.array([k]), n1, n2)[0]!r}}},")

    print("\n## smallest exact two-sided p: 2 / math.comb(n1 + n2, n1)")
    for n1, n2 in [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (3, 5), (10, 10), (20, 30)]:
        print(f"{{{n1}, {n2}, {min(1.0, 2 / math.comb(n1 + n2, n1))!r}}},")
    for alpha in (0.1, 0.05, 0.01, 0.001, 1e-6):
        n = 1
        while min(1.0, 2 / math.comb(2 * n, n)) >= alpha:
            n += 1
        print(f"min_sample_size({alpha}) = {n}")

    print("\n## Hodges-Lehmann: numpy pairwise differences c_j - b_i, ranks from scipy")
    print("## (exact _mwu_state.cdf when both sizes < 50, else scipy.stats.norm.ppf/cdf)")
    for b, c, confidence in HL_CASES:
        est, low, high, coverage, rank = hodges_lehmann(SAMPLES[b], SAMPLES[c], confidence)
        print(f"{b}, {c}, {confidence}: rank {rank}: {{{est!r}, {low!r}, {high!r}, {coverage!r}}}")

    print("\n## relative change: exp(HL of log values) - 1 (numpy.log, numpy.expm1)")
    for b, c, confidence in HL_CASES:
        if b in ("tied_b", "equal_b") or min(SAMPLES[b] + SAMPLES[c]) <= 0:
            continue
        est, low, high, coverage, rank = hodges_lehmann(np.log(SAMPLES[b]), np.log(SAMPLES[c]),
                                                        confidence)
        print(f"{b}, {c}, {confidence}: rank {rank}: "
              f"{{{np.expm1(est)!r}, {np.expm1(low)!r}, {np.expm1(high)!r}, {coverage!r}}}")

    print("\n## Holm, written out")
    for p in HOLM_CASES:
        print(f"{p}: {holm(p)!r}")

    print("\n## Wilson score interval (statsmodels' formula, scipy.stats.norm.isf)")
    for x, n, confidence in WILSON_CASES:
        low, high = wilson(x, n, confidence)
        print(f"{{{x}, {n}, {confidence}, {low!r}, {high!r}}},")


if __name__ == "__main__":
    main()
