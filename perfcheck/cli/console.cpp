// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/console.hpp"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "perfcheck/cli/reported_console.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/gate/series_gates.hpp"
#include "perfcheck/model/trend_text.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::cli {
namespace {

using summaries = std::map<std::string, metric_summary>;

// `text` with every character that could end or break an XML attribute value or a CTest tag
// (quotes, <, >, &, control characters) replaced by '_'.
std::string xml_safe(std::string text) {
  for (char& c : text) {
    if (c == '"' || c == '\'' || c == '<' || c == '>' || c == '&' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  return text;
}

const metric_summary* find(const summaries& r, const char* metric) {
  auto it = r.find(metric);
  return it == r.end() || it->second.n == 0 ? nullptr : &it->second;
}

// A concurrency level's line: throughput, errors, efficiency and the round's memory.
std::string format_concurrency(const summaries& r) {
  const auto* t = find(r, "throughput");
  if (t == nullptr) return {};
  const auto* errors = find(r, "errors.count");
  const auto* rate = find(r, "errors.rate");
  const auto* e = find(r, "efficiency");
  const auto* total = find(r, "rss.total");
  // A concurrency level's rounds (they have rss.total), or a wrk client's runs.
  return fmt::format("  load  throughput {} (median of {} {})   errors {:.0f} ({:.3g}%){}{}\n",
                     format_quantity(t->median, unit_kind::rate), t->n,
                     total ? "rounds" : "runs", errors ? errors->median : 0.0, rate ? rate->median * 100 : 0.0,
                     e ? fmt::format("   efficiency {:.0f}%", e->median * 100) : std::string(),
                     total ? fmt::format("   memory of a round up to {}", format_size(total->max)) : std::string());
}

// A load run's lines (perfcheck load): latency and service time, throughput, errors, dropped starts.
std::string format_load(const summaries& r) {
  const auto* requests = find(r, "requests");
  if (requests == nullptr) return {};
  const auto value = [&](const char* metric) {
    const auto* m = find(r, metric);
    return m == nullptr ? 0.0 : m->median;
  };
  std::string out;
  for (const char* metric : {"latency", "service", "lag"}) {
    const auto* m = find(r, metric);
    if (m == nullptr) continue;
    out += fmt::format("  {:<7} p50 {}   p90 {}   p95 {}   p99 {}   max {}\n", metric, format_duration(m->median),
                       format_duration(m->p90), format_duration(m->p95), format_duration(m->p99), format_duration(m->max));
  }
  if (const auto* b = find(r, "response_bytes")) {
    out += fmt::format("  bodies  p50 {}   p90 {}   p99 {}   min {}   max {}\n", format_size(b->median), format_size(b->p90),
                       format_size(b->p99), format_size(b->min), format_size(b->max));
  }
  out += fmt::format("  load    {:.0f} requests   throughput {}   errors {:.0f} ({:.3g}%)   dropped {:.0f}\n",
                     value("requests"), format_quantity(value("throughput"), unit_kind::rate), value("errors.count"), value("errors.rate") * 100,
                     value("dropped"));
  return out;
}

// Medians of the tree counters that are not zero, a line each.
std::string format_tree_counters(const summaries& r) {
  std::string out;
  const auto median = [&](const char* metric) {
    const auto* m = find(r, metric);
    return m == nullptr ? 0.0 : m->median;
  };
  if (median("io.read_chars") > 0 || median("io.write_chars") > 0 || median("io.read_bytes") > 0 ||
      median("io.write_bytes") > 0) {
    out += fmt::format("  io    read {} ({} from storage)   written {} ({} to storage)\n",
                       format_size(median("io.read_chars")), format_size(median("io.read_bytes")),
                       format_size(median("io.write_chars")), format_size(median("io.write_bytes")));
  }
  if (median("ctx.voluntary") > 0 || median("faults.minor") > 0) {
    out += fmt::format("  os    context switches {:.0f} voluntary, {:.0f} involuntary   page faults {:.0f} minor, "
                       "{:.0f} major\n",
                       median("ctx.voluntary"), median("ctx.involuntary"), median("faults.minor"),
                       median("faults.major"));
  }
  if (const auto* u = find(r, "cpu.util"); u != nullptr && u->median > 0) {
    const auto* t = find(r, "threads");
    out += fmt::format("  cpu   {:.0f}% of one CPU (median){}\n", u->median * 100,
                       t != nullptr ? fmt::format("   threads up to {:.0f}", t->max) : std::string());
  }
  if (const auto* n = find(r, "instructions")) {
    const double spread = n->median > 0 ? (n->max - n->min) / n->median * 1e6 : 0;
    out += fmt::format("  instr {:.0f} instructions (median of {})   range {:.0f} … {:.0f} ({:.3g} ppm)\n", n->median, n->n,
                       n->min, n->max, spread);
  }
  if (const auto* m = find(r, "leaked.processes"); m != nullptr && m->max > 0) {
    out += fmt::format("  leaked processes: up to {:.0f} per run (stopped by perfcheck)\n", m->max);
  }
  return out + (find(r, "requests") != nullptr ? format_load(r) : format_concurrency(r));
}

// The soak trends, a line each, after `indent` (a sweep's level block is indented).
std::string format_trends(const std::map<std::string, trend_outcome>& trends, const char* indent) {
  std::string out;
  for (const auto& [metric, t] : trends) out += fmt::format("{}  trend {}  {}\n", indent, metric, trend_figures(metric, t));
  return out;
}

}  // namespace

std::string possible_regression_note(const run_result& r) {
  if (r.outcome != verdict::inconclusive) return "";
  for (const auto& f : r.regressions) {
    if (!f.possible_regression()) continue;
    const std::string runs = f.runs_to_decide > 0
                                 ? fmt::format("about {} runs would decide it", f.runs_to_decide)
                                 : std::string("more runs alone cannot decide it");
    return fmt::format(" — POSSIBLE REGRESSION: {} changed {:+.1f}%, beyond its limit {:+.1f}%, "
                       "not yet significant; {}", f.rule, f.change * 100, f.tolerance * 100, runs);
  }
  return "";
}

namespace {

// The wall, cpu, rss and counter lines of one point, each line after `indent`.
std::string format_figures(const summaries& r, const std::vector<std::size_t>& wall_outliers, std::string_view indent) {
  std::string out;
  if (const auto* w = find(r, "wall")) {
    out += fmt::format("  wall  {} ± {}   median {} (95% CI {} … {})   range {} … {}{}\n",
                       format_duration(w->mean), format_duration(w->stddev),
                       format_duration(w->median), format_duration(w->ci_low),
                       format_duration(w->ci_high), format_duration(w->min),
                       format_duration(w->max),
                       // COUNT: the runs ran under the counter (valgrind: ~50x), not as the command alone
                       find(r, "instructions") != nullptr ? "   (counted runs: not the command's own time)" : "");
  }
  if (const auto* c = find(r, "cpu")) {
    out += fmt::format("  cpu   {} ± {}   user {}   sys {}\n", format_duration(c->mean),
                       format_duration(c->stddev), format_duration(find(r, "user")->median),
                       format_duration(find(r, "sys")->median));
  }
  if (const auto* m = find(r, "rss")) {
    out += fmt::format("  rss   peak {}   median {}", format_size(m->max), format_size(m->median));
    // The tree's sampled peak only when it says more than the command's own.
    if (const auto* t = find(r, "rss_tree"); t != nullptr && t->max > m->max) {
      out += fmt::format("   tree peak {}", format_size(t->max));
    }
    out += "\n";
  }
  out += format_tree_counters(r);
  if (!wall_outliers.empty()) {
    out += fmt::format("  {} outlier run{} by wall time (kept in the statistics)\n",
                       wall_outliers.size(), wall_outliers.size() == 1 ? "" : "s");
  }
  if (indent.empty()) return out;
  std::string indented;
  for (std::size_t start = 0; start < out.size();) {
    const auto end = out.find('\n', start);
    indented += fmt::format("{}{}\n", indent, out.substr(start, end - start));
    start = end + 1;
  }
  return indented;
}

std::string runs_text(std::size_t runs, std::size_t warmups) {
  std::string out = fmt::format("{} run{}", runs, runs == 1 ? "" : "s");
  if (warmups > 0) out += fmt::format(" after {} warm-up", warmups);
  return out;
}

// The `k`-th word (0-based) of `text`, "" past the last: a stage of the metadata "stages".
std::string word_of(const std::string& text, std::size_t k) {
  std::size_t begin = text.find_first_not_of(' ');
  for (; begin != std::string::npos && k > 0; --k) begin = text.find_first_not_of(' ', text.find(' ', begin));
  return begin == std::string::npos ? std::string() : text.substr(begin, text.find(' ', begin) - begin);
}

// A sweep's block per level; a load run in stages (perfcheck load --stages): the generator's own
// cost over the run, then a block per stage with the stage as written.
std::string format_points(const run_result& r) {
  const auto stages = r.metadata.find("stages");
  const auto range = r.metadata.find("capacity.range");  // perfcheck load --capacity: each step a level
  const bool searched = range != r.metadata.end() && r.points.front().runs.empty();
  const bool staged = !searched && stages != r.metadata.end() && r.points.front().runs.empty();
  std::string out = searched ? fmt::format("{}: capacity search over {} in {} steps: {}\n", terminal_safe(r.name),
                                           terminal_safe(range->second), r.points.size(),
                                           terminal_safe(r.metadata.at("capacity")))
                    : staged ? fmt::format("{}: load run in {} stages\n", terminal_safe(r.name), r.points.size())
                             : fmt::format("{}: {} levels, interleaved (seed {})\n", terminal_safe(r.name),
                                           r.points.size(), r.point_seed);
  if (staged || searched) out += format_figures(r.summary, {}, "");
  for (std::size_t k = 0; k < r.points.size(); ++k) {
    const auto& p = r.points[k];
    const std::string what = searched ? std::string(p.outcome == verdict::pass ? "held" : "did not hold")
                             : staged ? word_of(stages->second, k)
                                      : runs_text(p.runs.size(), p.warmup_runs.size());
    out += searched ? fmt::format("  {}/s: {}\n", terminal_safe(to_string(p.at)), what)
                    : fmt::format("  {}: {}, {}\n", terminal_safe(to_string(p.at)), terminal_safe(what), to_string(p.outcome));
    out += format_figures(p.summary, p.wall_outliers, "  ");
    out += format_reported(p.summary, p.runs, "  ");
    out += format_trends(p.trends, "  ");
  }
  return out;
}

}  // namespace

std::string format_result_block(const run_result& r) {
  std::string out;
  if (r.points.empty()) {
    const bool load_run = r.runs.empty() && r.summary.count("requests") > 0;  // perfcheck load
    out += fmt::format("{}: {}\n", terminal_safe(r.name), load_run ? "load run" : runs_text(r.runs.size(), r.warmup_runs.size()));
    out += format_figures(r.summary, r.wall_outliers, "");
    out += format_reported(r.summary, r.runs, "");
  } else {
    out += format_points(r);
  }
  out += format_metadata(r.metadata);
  out += format_trends(r.trends, "");
  for (const auto& t : r.thresholds) {
    const std::string measured = is_series_outcome(t)      ? series_outcome_value(t)
                                 : t.measured && t.typed ? format_threshold_value(t.expr, t.value)
                                                         : "not measured";
    const std::string at = t.at.empty() ? "" : fmt::format(" at {}", t.at);
    out += fmt::format("  {} {}{}   ({}{})\n", t.ok ? "✓" : "✗", t.expr.text, at, measured, level_figures_text(t));
  }
  out += fmt::format("  verdict: {}{}\n", to_string(r.outcome), possible_regression_note(r));
  // Reasons and warnings quote hook output, channel lines and file text: never raw to a terminal.
  for (const auto& reason : r.reasons) out += fmt::format("    - {}\n", terminal_safe(reason));
  for (const auto& w : r.warnings) out += fmt::format("  warning: {}\n", terminal_safe(w));
  return out;
}

namespace {

// Whether `text` at `i` (just after a '<', maybe a '/') names a tag CTest reads from a test's
// output: <CTestMeasurement>, <CTestMeasurementFile>, <CTestLabel>, <CTestDetails>,
// <CTestAttachFile>, <DartMeasurement>, <DartMeasurementFile>, in any case.
bool names_ctest_tag(std::string_view text, std::size_t i) {
  if (i < text.size() && text[i] == '/') ++i;
  auto starts = [&](std::string_view word) {
    if (text.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(text[i + k])) != word[k]) return false;
    }
    return true;
  };
  return i <= text.size() && (starts("ctest") || starts("dart"));
}

}  // namespace

std::string escape_ctest_tags(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && names_ctest_tag(text, i + 1)) {
      out += "&lt;";
    } else {
      out += text[i];
    }
  }
  return out;
}

namespace {

// The measurements of one point; names end in "@<level>" in a sweep ("wall.median_ms@n=10").
void point_measurements(std::string& out, const summaries& r, std::size_t runs, const std::string& at) {
  const std::string suffix = at.empty() ? "" : "@" + at;
  auto tag = [&](const char* name, double value) {
    out += fmt::format("<CTestMeasurement type=\"numeric/double\" name=\"{}{}\">{:.6g}</CTestMeasurement>\n",
                       name, suffix, value);
  };
  if (const auto* w = find(r, "wall")) {
    tag("wall.median_ms", w->median / 1e6);
    tag("wall.mean_ms", w->mean / 1e6);
    tag("wall.stddev_ms", w->stddev / 1e6);
    tag("wall.p95_ms", w->p95 / 1e6);
  }
  if (const auto* c = find(r, "cpu")) tag("cpu.median_ms", c->median / 1e6);
  if (const auto* m = find(r, "rss")) tag("rss.max_mib", m->max / (1024.0 * 1024.0));
  if (const auto* m = find(r, "rss_tree"); m != nullptr && m->max > 0) tag("rss_tree.max_mib", m->max / (1024.0 * 1024.0));
  if (const auto* u = find(r, "cpu.util")) tag("cpu.util.median_pct", u->median * 100);
  if (const auto* t = find(r, "threads")) tag("threads.max", t->max);
  if (const auto* t = find(r, "throughput")) tag("throughput.median", t->median);
  if (const auto* e = find(r, "errors.count")) tag("errors.count", e->median);
  if (const auto* e = find(r, "errors.rate")) tag("errors.rate_pct", e->median * 100);
  if (const auto* l = find(r, "latency")) {  // a load run's (docs/load.md)
    tag("latency.p50_ms", l->median / 1e6);
    tag("latency.p99_ms", l->p99 / 1e6);
  }
  if (const auto* d = find(r, "dropped")) tag("dropped", d->median);
  if (const auto* c = find(r, "capacity")) tag("capacity", c->median);
  if (const auto* e = find(r, "efficiency")) tag("efficiency.median_pct", e->median * 100);
  if (const auto* m = find(r, "rss.total")) tag("rss.total.max_mib", m->max / (1024.0 * 1024.0));
  if (const auto* n = find(r, "instructions")) {  // every digit: a 0.5% gate needs more than six
    out += fmt::format("<CTestMeasurement type=\"numeric/double\" name=\"instructions.median{}\">{:.0f}"
                       "</CTestMeasurement>\n", suffix, n->median);
  }
  tag("runs", static_cast<double>(runs));
}

// The figures of the gates across levels: a complexity gate's log-log slope and its 95%
// interval ("complexity.cpu.median.slope", "...slope_low", "...slope_high"), a breaking point's
// level when it is a number, named by its parameter and inner gate
// ("breaking_point.concurrency.wall.p99"); a gate over one group of levels ends
// in "@<the group's levels>". So CDash can chart how a test's growth and capacity move.
void series_measurements(std::string& out, const run_result& r) {
  for (const auto& t : r.thresholds) {
    const std::string suffix = t.at.empty() ? "" : "@" + xml_safe(t.at);
    auto tag = [&](const std::string& name, double value) {
      out += fmt::format("<CTestMeasurement type=\"numeric/double\" name=\"{}{}\">{:.6g}</CTestMeasurement>\n",
                         xml_safe(name), suffix, value);
    };
    if (t.complexity && !t.complexity->fitted.empty()) {
      const std::string base = fmt::format("complexity.{}.{}", t.expr.metric, t.expr.statistic);
      tag(base + ".slope", t.complexity->slope);
      tag(base + ".slope_low", t.complexity->slope_low);
      tag(base + ".slope_high", t.complexity->slope_high);
    }
    if (t.breaking_point && t.breaking_point->level) {
      if (const auto value = gate::level_number(*t.breaking_point->level)) {
        tag(fmt::format("breaking_point.{}.{}.{}", t.breaking_point->parameter, t.expr.metric, t.expr.statistic),
            *value);
      }
    }
  }
}

}  // namespace

std::string format_ctest_measurements(const run_result& r) {
  std::string out;
  if (r.points.empty()) point_measurements(out, r.summary, r.runs.size(), "");
  if (const auto* c = find(r.summary, "capacity"); c && !r.points.empty())  // the rate found, the whole's
    out += fmt::format("<CTestMeasurement type=\"numeric/double\" name=\"capacity\">{:.6g}</CTestMeasurement>\n",
                       c->median);
  if (r.points.empty()) out += reported_measurements(r.summary, r.runs, "");
  // A level's value is the user's text: only characters that stay inside an XML attribute.
  for (const auto& p : r.points) {
    point_measurements(out, p.summary, p.runs.size(), xml_safe(to_string(p.at)));
    out += reported_measurements(p.summary, p.runs, "@" + xml_safe(to_string(p.at)));
  }
  series_measurements(out, r);
  for (const auto& f : r.regressions) {
    if (f.possible_regression() && f.runs_to_decide > 0) {
      out += fmt::format("<CTestMeasurement type=\"numeric/double\" name=\"regression.runs_to_decide\">{:.6g}"
                         "</CTestMeasurement>\n", static_cast<double>(f.runs_to_decide));
      break;
    }
  }
  return out;
}

progress_line::progress_line(std::FILE* out, std::string name)
    : out_(out), name_(terminal_safe(name)), tty_(::isatty(::fileno(out)) == 1) {}

void progress_line::run_finished(bool warmup, int index, int planned, const run_sample& sample) {
  if (!tty_) return;
  std::fprintf(out_, "\r\033[K%s: %s %d/%d  %s", name_.c_str(), warmup ? "warm-up" : "run", index,
               planned, format_duration(static_cast<double>(sample.wall_ns)).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void progress_line::finish() {
  if (drawn_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
    drawn_ = false;
  }
}

}  // namespace perfcheck::cli
