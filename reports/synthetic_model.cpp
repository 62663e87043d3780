// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/synthetic_model.hpp"

#include <chrono>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

namespace perfcheck::reports {

namespace {

// splitmix64 (Steele, Lea & Flood 2014): tiny, fast, and the same on every platform, unlike
// the standard distributions.
class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double normal() {  // Box-Muller
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
  }

 private:
  std::uint64_t state_;
};

std::string commit_of(std::size_t session) {
  rng r(0xc0ffee + session);
  return fmt::format("{:016x}{:016x}{:08x}", r.next(), r.next(),
                     static_cast<std::uint32_t>(r.next()));
}

std::string date_of(std::size_t session, std::size_t sessions) {
  // One session every six hours, the last on 2026-11-23 12:00 UTC.
  using namespace std::chrono;
  const auto t = sys_days{year{2026} / 11 / 23} + hours{12} -
                 hours{6 * static_cast<long>(sessions - 1 - session)};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const auto hour = duration_cast<hours>(t - day).count();
  return fmt::format("{:04}-{:02}-{:02}T{:02}:00:00.000Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hour);
}

metric_figures figures(std::string metric, double median, double spread, bool bands) {
  metric_figures f;
  f.metric = std::move(metric);
  metric_summary& s = f.summary;
  s.n = 30;
  s.median = median;
  s.mean = median * (1 + spread * 0.3);
  s.min = median * (1 - 2 * spread);
  s.max = median * (1 + 4 * spread);
  s.stddev = median * spread;
  s.mad = median * spread * 0.6;
  s.p90 = median * (1 + 1.5 * spread);
  s.p95 = median * (1 + 2 * spread);
  s.p99 = median * (1 + 3 * spread);
  s.ci_low = median * (1 - 0.4 * spread);
  s.ci_high = median * (1 + 0.4 * spread);
  if (bands) {
    f.bands = sample_quantiles{median * (1 - 1.6 * spread), median * (1 - 0.7 * spread),
                               median * (1 + 0.7 * spread), median * (1 + 2 * spread)};
  }
  return f;
}

report_session synthetic_session(std::size_t n) {
  report_session session;
  session.id = n ? fmt::format("session-{:04}", n - 1) : "";
  session.commit = n ? commit_of(n - 1) : "";
  session.branch = "main";
  session.machine = "5f3a9c2e81b7d046";
  session.hostname = "ci-runner-7";
  session.cpu_model = "Synthetic CPU @ 3.0GHz";
  session.date = n ? date_of(n - 1, n) : "";
  session.perfcheck_version = "0.1.0";
  return session;
}

// The resident memory of test `t`, bytes.
double rss_of(std::size_t t) { return (8.0 + static_cast<double>(t % 5) * 6) * 1024 * 1024; }

// `count` results of one test: a level with rare shifts and 1.5% noise.
std::vector<report_result> synthetic_history(rng& r, std::size_t count, double level, double rss,
                                             bool bands, const std::vector<std::string>& commits,
                                             const std::vector<std::string>& dates) {
  std::vector<report_result> history;
  history.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (r.uniform() < 0.006)
      level *= 1 + (r.uniform() < 0.6 ? 1 : -1) * (0.05 + 0.25 * r.uniform());
    report_result res;
    res.session = fmt::format("session-{:04}", i);
    res.commit = commits[i];
    res.branch = "main";
    res.date = dates[i];
    const double median = level * (1 + 0.015 * r.normal());
    res.metrics.push_back(figures("wall", median, 0.02, bands));
    res.metrics.push_back(figures("rss", rss * (1 + 0.002 * r.normal()), 0.003, bands));
    history.push_back(std::move(res));
  }
  return history;
}

// The baseline comparison of test `t` (and the regression reason of a regressed one).
void synthetic_baseline(rng& r, std::size_t t, const synthetic_options& options,
                        const std::vector<std::string>& commits,
                        const std::vector<std::string>& dates, report_test& test) {
  const std::size_t n = options.results;
  report_result& cur = test.history.back();
  const double median = cur.metrics[0].summary.median;
  baseline_comparison b;
  b.metric = "wall";
  b.statistic = "median";
  const double change = t % 10 == 1 ? 0.12 : t % 10 == 2 ? -0.09 : t % 10 == 3 ? 0.03 : 0.004;
  const double half = t % 10 == 3 ? 0.05 : 0.02;
  b.change = change;
  b.change_low = change - half;
  b.change_high = change + half;
  b.confidence = 0.99;
  b.baseline_value = median / (1 + change);
  b.baseline_commit = n > 10 ? commits[n - 11] : commits[0];
  b.baseline_date = n > 10 ? dates[n - 11] : dates[0];
  if (cur.outcome == verdict::regressed) {
    cur.reasons.push_back(
        fmt::format("wall.median +{:.1f}% vs baseline (interval +{:.1f}% to +{:.1f}%), "
                    "beyond the tolerance +5%",
                    change * 100, b.change_low * 100, b.change_high * 100));
  }
  test.baseline = b;
  for (std::size_t k = 0; k < options.samples; ++k) {
    test.baseline_samples.push_back(b.baseline_value * std::exp(0.02 * r.normal()));
  }
}

// The measured runs of the current result, a memory timeline and series levels.
void synthetic_runs(rng& r, std::size_t t, const synthetic_options& options, double median,
                    report_test& test) {
  const double rss = rss_of(t);
  for (std::size_t k = 0; k < options.samples; ++k) {
    run_sample s;
    s.wall_ns = static_cast<std::int64_t>(median * std::exp(0.02 * r.normal()));
    s.user_ns = s.wall_ns * 9 / 10;
    s.sys_ns = s.wall_ns / 20;
    s.max_rss_bytes = static_cast<std::int64_t>(rss * (1 + 0.002 * r.normal()));
    s.exit_code = 0;
    test.samples.push_back(s);
  }
  if (t % 4 == 0) {
    for (std::size_t k = 0; k <= 100; ++k) {
      const double x = static_cast<double>(k) / 100;
      test.memory.push_back(
          {x * median / 1e9, rss * (0.2 + 0.8 * std::sqrt(x)) * (1 + 0.01 * r.normal())});
    }
  }
  if (t % 5 == 0) {
    for (int c : {1, 5, 10, 20, 50}) {
      level_figures l;
      l.level = std::to_string(c);
      l.metrics.push_back(figures("wall", median * (1 + 0.02 * c), 0.03, false));
      test.levels.push_back(std::move(l));
    }
  }
}

// The current result of test `t`: verdict, thresholds, messages, baseline, runs, memory, levels.
void synthetic_current(rng& r, std::size_t t, const synthetic_options& options,
                       const std::vector<std::string>& commits,
                       const std::vector<std::string>& dates, report_test& test) {
  const std::size_t n = options.results;
  test.current = n - 1;
  report_result& cur = test.history.back();
  const double median = cur.metrics[0].summary.median;
  const verdict verdicts[] = {verdict::failed, verdict::regressed, verdict::improved,
                              verdict::inconclusive, verdict::error};
  cur.outcome = t % 10 < 5 ? verdicts[t % 10] : verdict::pass;
  const double limit = cur.outcome == verdict::failed ? median * 0.9 : median * 1.5;
  cur.thresholds.push_back({parse_threshold("wall.p95 < " + fmt::format("{:.0f}ms", limit / 1e6)),
                            cur.metrics[0].summary.p95,
                            cur.metrics[0].summary.p95 < std::round(limit / 1e6) * 1e6});
  cur.thresholds.push_back({parse_threshold("rss.max <= 256MiB"), cur.metrics[1].summary.max, true});
  if (cur.outcome == verdict::failed) {
    cur.reasons.push_back(fmt::format("wall.p95 = {:.1f} ms, above the limit {:.0f} ms",
                                      cur.metrics[0].summary.p95 / 1e6, limit / 1e6));
  }
  if (cur.outcome == verdict::error) cur.reasons.push_back("run 3 exited with status 1");
  if (t % 10 == 1 || t % 10 == 2 || t % 10 == 3 || t % 10 == 7)
    synthetic_baseline(r, t, options, commits, dates, test);
  if (t % 6 == 5) cur.warnings.push_back("noisy: the robust CV of wall is 7.2% (above 5%)");
  if (t % 12 == 11)
    cur.warnings.push_back("the first run was 2.1x slower than the median (cold start)");
  synthetic_runs(r, t, options, median, test);
}

}  // namespace

report_model make_synthetic_model(const synthetic_options& options) {
  report_model model;
  model.generator_version = "synthetic";
  const std::size_t n = options.results;
  model.session = synthetic_session(n);
  std::vector<std::string> commits, dates;
  for (std::size_t i = 0; i < n; ++i) {
    commits.push_back(commit_of(i));
    dates.push_back(date_of(i, n));
  }

  model.tests.reserve(options.tests);
  for (std::size_t t = 0; t < options.tests; ++t) {
    rng r(options.seed * 1000003 + t);
    report_test test;
    test.name = options.hostile && t == 0 ? std::string(hostile_test_name)
                                          : fmt::format("suite{}/case_{:03}", t % 5, t);
    const bool bands = t % 3 != 0;
    const bool not_run = t % 17 == 16;
    const double level = (1.0 + static_cast<double>(t % 7)) * 3e6;  // ns
    const double rss = rss_of(t);
    const std::size_t stored = not_run && n > 0 ? n - 1 : n;
    test.history = synthetic_history(r, stored, level, rss, bands, commits, dates);
    if (!not_run && n > 0) synthetic_current(r, t, options, commits, dates, test);
    model.tests.push_back(std::move(test));
  }
  return model;
}

}  // namespace perfcheck::reports
