# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# A second, independent source for tests/unit/compare_test.cpp: R's own implementations of the
# rank-sum test with its Hodges-Lehmann interval, Holm's adjustment and the Wilson interval.
# Run with Debian 12's R (apt-get install r-base-core; R 4.2.2):
#   Rscript tests/unit/reference/compare_reference.R
# The samples are those of compare_reference.py; keep the three files in step.
# wilcox.test(x = candidate, y = baseline, conf.int = TRUE) reports the shift of the candidate
# (the median of candidate_j - baseline_i); its exact interval (both sizes below 50, no ties)
# takes the order statistics perfcheck takes. W is U of its first argument.

options(digits = 17)
cat(R.version.string, "\n")

hw_x <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
hw_y <- c(1.15, 0.88, 0.90, 0.74, 1.21)
small_b <- c(1.1, 2.3, 3.0, 4.8, 5.2)
small_c <- c(2.9, 6.1, 7.4, 8.0, 9.3)
uneq_b <- c(10.5, 12.25, 9.75, 11.0)
uneq_c <- c(11.5, 13.0, 12.75, 14.5, 10.25, 13.5, 12.5)
eight <- c(5.01, 5.33, 4.87, 5.12, 5.25, 4.95, 5.41, 5.08)
twenty <- c(5.22, 5.35, 5.47, 5.18, 5.29, 5.51, 5.38, 5.44, 5.05, 5.31,
            5.56, 5.27, 5.42, 5.36, 5.19, 5.49, 5.24, 5.58, 5.34, 5.40)

shift <- function(name, baseline, candidate, level) {
  r <- wilcox.test(candidate, baseline, conf.int = TRUE, conf.level = level, exact = TRUE)
  cat(sprintf("%s %.2f: W = %s, p = %.17g, estimate %.17g, interval [%.17g, %.17g]\n", name,
              level, r$statistic, r$p.value, r$estimate, r$conf.int[1], r$conf.int[2]))
}

cat("\n## wilcox.test(candidate, baseline, conf.int = TRUE, exact = TRUE)\n")
shift("hw (Hollander & Wolfe)", hw_y, hw_x, 0.95)
shift("hw (Hollander & Wolfe)", hw_y, hw_x, 0.99)
shift("small", small_b, small_c, 0.90)
shift("small", small_b, small_c, 0.99)
shift("uneq", uneq_b, uneq_c, 0.95)
shift("eight/twenty", eight, twenty, 0.99)
cat("\n## relative change: exp(shift of log values) - 1\n")
r <- wilcox.test(log(twenty), log(eight), conf.int = TRUE, conf.level = 0.99, exact = TRUE)
cat(sprintf("eight/twenty 0.99: %.17g [%.17g, %.17g]\n", expm1(r$estimate), expm1(r$conf.int[1]),
            expm1(r$conf.int[2])))

cat("\n## p.adjust(p, method = 'holm')\n")
for (p in list(c(0.01, 0.04, 0.03, 0.005), c(0.2, 0.001, 0.03, 0.03, 0.9, 0.012), c(0.5),
               c(0.3, 0.3, 0.6))) {
  cat(sprintf("%s -> %s\n", paste(p, collapse = ", "),
              paste(sprintf("%.17g", p.adjust(p, method = "holm")), collapse = ", ")))
}

cat("\n## prop.test(x, n, conf.level, correct = FALSE)$conf.int: the Wilson score interval\n")
for (case in list(c(81, 263, 0.95), c(15, 148, 0.95), c(0, 20, 0.95), c(1, 29, 0.95),
                  c(29, 29, 0.95), c(7, 10, 0.99), c(50, 1000, 0.90))) {
  ci <- suppressWarnings(prop.test(case[1], case[2], conf.level = case[3], correct = FALSE)$conf.int)
  cat(sprintf("%d/%d %.2f: [%.17g, %.17g]\n", case[1], case[2], case[3], ci[1], ci[2]))
}
