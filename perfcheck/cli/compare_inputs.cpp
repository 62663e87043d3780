// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/compare_inputs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <system_error>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/ingest/google_benchmark.hpp"
#include "perfcheck/ingest/hyperfine.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/units.hpp"

namespace perfcheck::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* accepted_inputs =
    "give a result file (perfcheck/result/v1, written by 'perfcheck run'), a folder of them, a "
    "baseline file (perfcheck/baseline/v1), Google Benchmark JSON (--benchmark_format=json) or "
    "hyperfine JSON (--export-json)";

// Collects the tests of a side, keeping one per name: the one with the later start time. A
// sweep's test is one input per level, kept or replaced together.
class side_builder {
 public:
  explicit side_builder(std::string label) { label_ = std::move(label); }

  void add(std::vector<gate::comparison_input> levels, const std::string& started_at) {
    if (levels.empty()) return;
    const std::string& name = levels.front().name;
    const auto found = tests_.find(name);
    if (found == tests_.end()) {
      order_.push_back(name);
      tests_.emplace(name, kept_test{std::move(levels), started_at});
      return;
    }
    kept_test& kept = found->second;
    const std::string& kept_origin = kept.levels.front().origin;
    const std::string& origin = levels.front().origin;
    const bool newer = started_at > kept.started_at;
    notes_.push_back(fmt::format("two results of '{}' ({} and {}); using the one started later, {}", name,
                                 kept_origin, origin, newer ? origin : kept_origin));
    if (newer) kept = {std::move(levels), started_at};
  }
  void add(gate::comparison_input input, const std::string& started_at) {
    std::vector<gate::comparison_input> one;
    one.push_back(std::move(input));
    add(std::move(one), started_at);
  }

  void note(std::string text) { notes_.push_back(std::move(text)); }
  std::size_t size() const { return tests_.size(); }
  comparison_side finish() && {
    comparison_side side{std::move(label_), {}, std::move(notes_), tests_.size()};
    for (const auto& name : order_) {
      for (auto& input : tests_.at(name).levels) side.tests.push_back(std::move(input));
    }
    return side;
  }

 private:
  struct kept_test {
    std::vector<gate::comparison_input> levels;
    std::string started_at;
  };
  std::string label_;
  std::vector<std::string> notes_;
  std::vector<std::string> order_;
  std::map<std::string, kept_test> tests_;
};

void add_benchmarks(side_builder& side, std::vector<ingest::ingested_benchmark>&& benchmarks,
                    const std::string& origin) {
  for (auto& b : benchmarks) {
    gate::comparison_input input;
    input.name = b.result.name;
    input.columns = std::move(b.columns);
    input.origin = origin;
    if (b.result.outcome == verdict::error) {
      input.problem = b.result.reasons.empty() ? "a repetition failed" : b.result.reasons.front();
    }
    side.add(std::move(input), b.result.started_at);
  }
}

void add_baseline(side_builder& side, const baseline_file& file, const std::string& origin) {
  for (const auto& [name, entry] : file.tests) {
    std::vector<gate::comparison_input> levels;
    auto add_level = [&](const std::string& at, const std::vector<run_sample>& runs) {
      gate::comparison_input input;
      input.name = name;
      input.at = at;
      input.columns = metric_columns(runs);
      input.origin = origin;
      levels.push_back(std::move(input));
    };
    if (entry.points.empty()) add_level("", entry.runs);
    for (const auto& [at, runs] : entry.points) add_level(at, runs);
    side.add(std::move(levels), entry.recorded_at);
  }
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string figure(const std::string& metric, double value) {
  if (metric == "wall" || metric == "user" || metric == "sys" || metric == "cpu") return format_duration(value);
  if (metric == "rss") return format_size(value);
  return fmt::format("{:.4g}", value);
}

std::string percent(double fraction) { return fmt::format("{:+.1f}%", fraction * 100); }

// "a, b, sweep @ n=8": tests, then levels, found on one side only.
std::string one_side_list(const std::vector<std::string>& names, const std::vector<gate::test_level>& levels) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + printable(n);
  for (const auto& l : levels) {
    // A level "" is a test measured without levels on this side and as a sweep on the other.
    out += (out.empty() ? "" : ", ") + printable(l.at.empty() ? l.name + " (no levels)" : gate::level_label(l.name, l.at));
  }
  return out;
}

void print_one_side_only(std::FILE* human, const gate::comparison_report& report) {
  const bool only_baseline = !report.only_baseline.empty() || !report.only_baseline_levels.empty();
  if (only_baseline) {
    std::fprintf(human, "\nonly in the baseline (not compared): %s\n",
                 one_side_list(report.only_baseline, report.only_baseline_levels).c_str());
  }
  if (!report.only_candidate.empty() || !report.only_candidate_levels.empty()) {
    std::fprintf(human, "%sonly in the candidate (not compared): %s\n", only_baseline ? "" : "\n",
                 one_side_list(report.only_candidate, report.only_candidate_levels).c_str());
  }
}

}  // namespace

std::vector<gate::comparison_input> inputs_from_result(const run_result& result, const std::string& origin) {
  const auto points = points_of(result);
  const bool any_level_failed = std::any_of(points.begin(), points.end(),
                                            [](const result_point& p) { return p.outcome == verdict::error; });
  std::vector<gate::comparison_input> inputs;
  for (const auto& point : points) {
    gate::comparison_input input;
    input.name = result.name;
    input.at = to_string(point.at);
    input.columns = metric_columns(point.runs);
    input.origin = origin;
    // A level that failed has its own reason ("n=500: ..."); a failure of the whole test is every level's.
    if (point.outcome == verdict::error || (result.outcome == verdict::error && !any_level_failed)) {
      const std::string prefix = input.at + ": ";
      const auto own = std::find_if(result.reasons.begin(), result.reasons.end(),
                                    [&](const std::string& r) { return !input.at.empty() && r.starts_with(prefix); });
      // Without a reason of its own, a failed level takes the whole test's only when no other level failed.
      const bool whole = !any_level_failed || input.at.empty();
      input.problem = own != result.reasons.end()     ? own->substr(prefix.size())
                      : result.reasons.empty() || !whole ? "verdict error"
                                                         : result.reasons.front();
    }
    inputs.push_back(std::move(input));
  }
  return inputs;
}

std::vector<fs::path> json_files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path& p = entry.path();
    if (entry.is_regular_file() && p.extension() == ".json" && !p.filename().string().starts_with(".")) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

comparison_side load_path_side(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    throw usage_error(fmt::format("{}: no such file or folder; {}", path.string(), accepted_inputs));
  }
  side_builder side(path.string());
  if (fs::is_directory(status)) {
    std::size_t skipped = 0;
    for (const auto& file : json_files_in(path)) {
      const boost::json::value json = read_json_file(file);
      const std::string schema = schema_of(json);
      if (schema == result_schema) {
        const run_result result = result_from_json(json, file.string());
        side.add(inputs_from_result(result, file.string()), result.started_at);
      } else if (schema.empty() && ingest::is_google_benchmark(json)) {
        add_benchmarks(side, ingest::read_google_benchmark(json, file.string()), file.string());
      } else if (schema.empty() && ingest::is_hyperfine(json)) {
        add_benchmarks(side, ingest::read_hyperfine(json, file.string(), ingest::modified_at(file)), file.string());
      } else if (schema != "perfcheck/session/v1") {
        ++skipped;
      }
    }
    if (side.size() == 0) {
      throw usage_error(fmt::format("{}: the folder holds no result files (perfcheck/result/v1), no "
                                    "Google Benchmark JSON and no hyperfine JSON; fill it with 'perfcheck run --output-dir {}' "
                                    "or give a file", path.string(), path.string()));
    }
    if (skipped > 0) side.note(fmt::format("{}: skipped {} JSON file(s) that are neither results nor Google Benchmark or hyperfine output", path.string(), skipped));
    return std::move(side).finish();
  }

  const boost::json::value json = read_json_file(path);
  const std::string schema = schema_of(json);
  if (schema == result_schema) {
    const run_result result = result_from_json(json, path.string());
    side.add(inputs_from_result(result, path.string()), result.started_at);
  } else if (schema == baseline_schema) {
    add_baseline(side, baseline_from_json(json, path.string()), path.string());
  } else if (schema.empty() && ingest::is_google_benchmark(json)) {
    add_benchmarks(side, ingest::read_google_benchmark(json, path.string()), path.string());
  } else if (schema.empty() && ingest::is_hyperfine(json)) {
    add_benchmarks(side, ingest::read_hyperfine(json, path.string(), ingest::modified_at(path)), path.string());
  } else if (!schema.empty()) {
    throw usage_error(fmt::format("{}: field 'schema': '{}' files cannot be compared; {}", path.string(),
                                  schema, accepted_inputs));
  } else {
    throw usage_error(fmt::format("{}: not a file perfcheck can compare (no 'schema', no "
                                  "'benchmarks' and no hyperfine 'results'); {}", path.string(), accepted_inputs));
  }
  return std::move(side).finish();
}

comparison_side load_session_side(store::history_store& history, const std::string& session_id) {
  const auto results = history.session_results(session_id);
  if (results.empty()) {
    const auto sessions = history.sessions();
    std::string known;
    const std::size_t first = sessions.size() > 5 ? sessions.size() - 5 : 0;
    for (std::size_t i = first; i < sessions.size(); ++i) {
      known += fmt::format("{}'{}'", known.empty() ? "" : ", ", sessions[i].id);
    }
    throw usage_error(fmt::format("--session {}: history {} has no results of that session; {}",
                                  session_id, history.location(),
                                  known.empty() ? std::string("it holds no session yet")
                                                : "its latest sessions are " + known));
  }
  side_builder side(fmt::format("session {} of {}", session_id, history.location()));
  for (const auto& stored : results) {
    side.add(inputs_from_result(stored.result, fmt::format("session {}", session_id)), stored.result.started_at);
  }
  return std::move(side).finish();
}

comparison_side load_baseline_side(const baseline_file& file, const std::string& path) {
  side_builder side(path);
  add_baseline(side, file, path);
  return std::move(side).finish();
}

std::string format_comparison_table(const gate::comparison_report& report) {
  std::vector<std::array<std::string, 8>> lines;
  lines.push_back({"test", "metric", "baseline", "candidate", "change", "p",
                   fmt::format("interval ({:.3g}%)", (1 - report.alpha) * 100), "verdict"});
  for (const auto& row : report.rows) {
    const auto& f = row.finding;
    std::array<std::string, 8> line;
    line[0] = printable(gate::level_label(row.name, row.finding.at));
    line[1] = printable(f.metric);
    line[2] = f.baseline_n > 0 ? figure(f.metric, f.baseline_median) : "-";
    line[3] = f.candidate_n > 0 ? figure(f.metric, f.candidate_median) : "-";
    line[4] = row.evaluated ? percent(f.change) : "-";
    line[5] = row.evaluated ? fmt::format("{:.2g}", f.p_adjusted) : "-";
    line[6] = row.evaluated ? fmt::format("{} to {}", percent(f.ci_low), percent(f.ci_high)) : "-";
    line[7] = to_string(f.decision);
    lines.push_back(std::move(line));
  }
  std::array<std::size_t, 8> width{};
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::string out;
  for (const auto& line : lines) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      // Names and metrics left-aligned, figures right-aligned, the verdict last.
      const bool left = i < 2 || i == 7;
      if (i > 0) text += "  ";
      text += left ? fmt::format("{:<{}}", line[i], i == 7 ? 0 : width[i])
                   : fmt::format("{:>{}}", line[i], width[i]);
    }
    out += text + "\n";
  }
  return out;
}

int report_comparison(const gate::comparison_report& report, const comparison_side& baseline,
                      const comparison_side& candidate, const std::string& json_target, bool no_fail) {
  std::FILE* human = json_target == "-" ? stderr : stdout;
  std::fprintf(human, "baseline:  %s (%zu test(s))\ncandidate: %s (%zu test(s))\n",
               printable(baseline.label).c_str(), baseline.test_count,
               printable(candidate.label).c_str(), candidate.test_count);
  for (const auto* side : {&baseline, &candidate}) {
    for (const auto& note : side->notes) std::fprintf(human, "note: %s\n", printable(note).c_str());
  }
  if (!report.rows.empty()) {
    std::fputs("\n", human);
    std::fputs(format_comparison_table(report).c_str(), human);
  }
  bool first_reason = true;
  for (const auto& row : report.rows) {
    if (row.finding.decision == verdict::pass) continue;
    if (first_reason) std::fputs("\n", human);
    first_reason = false;
    std::fprintf(human, "%s %s: %s\n", to_string(row.finding.decision),
                 printable(gate::level_label(row.name, row.finding.at)).c_str(),
                 printable(row.finding.reason).c_str());
  }
  print_one_side_only(human, report);
  std::string counts;
  for (const auto& [v, n] : report.counts()) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, to_string(v));
  std::fprintf(human, "\n%zu comparison(s)%s%s\n", report.rows.size(), counts.empty() ? "" : ": ", counts.c_str());
  if (report.rows.empty() && baseline.tests.empty() && candidate.tests.empty()) {
    std::fputs("nothing to compare: both sides are empty\n", human);
  } else if (report.rows.empty()) {
    std::fputs(report.only_baseline_levels.empty() && report.only_candidate_levels.empty()
                   ? "no test is on both sides: tests are matched by name\n"
                   : "no test and level is on both sides: tests are matched by name, a sweep's levels by their text\n",
               human);
  }
  std::fflush(human);

  if (!json_target.empty()) {
    boost::json::value json = gate::comparison_to_json(report);
    json.as_object()["baseline"] = baseline.label;
    json.as_object()["candidate"] = candidate.label;
    if (json_target == "-") {
      std::fputs(pretty_json(json).c_str(), stdout);
      std::fflush(stdout);
    } else {
      write_json_file_atomic(json_target, json);
    }
  }
  return report.any_regressed() && !no_fail ? exit_verdict_failed : exit_ok;
}

void add_comparison_options(CLI::App* sub, comparison_flags& flags) {
  sub->add_option("--rule", flags.rules,
                  fmt::format("Regression rule, repeatable: '<metric>.<statistic> <limit>%' (metrics wall, "
                              "user, sys, cpu, rss, ...; statistic median, mean, p90, p95, p99; "
                              "'+5%' tolerates a slowdown, '-40%' requires a speed-up) [default: '{}']",
                              default_compare_rule))
      ->type_name("RULE")->expected(1)->allow_extra_args(false)->take_all();
  sub->add_option("--alpha", flags.alpha,
                  "Significance level of the Mann-Whitney test (Holm-corrected over a test's rules); "
                  "the interval has confidence 1 - ALPHA [default: 0.01]")
      ->type_name("ALPHA");
  sub->add_option("--json", flags.json,
                  "Also write the comparison as JSON (perfcheck/compare/v1) to FILE; '-' writes it to "
                  "stdout and the table to stderr")
      ->type_name("FILE");
  sub->add_flag("--no-fail", flags.no_fail, "Exit 0 even when a test regressed (report only)");
}

int run_comparison(const comparison_side& baseline, const comparison_side& candidate,
                   const comparison_flags& flags) {
  if (!(flags.alpha > 0 && flags.alpha <= 0.5)) {
    throw usage_error(fmt::format("--alpha {}: use a significance level above 0 and at most 0.5, "
                                  "e.g. --alpha 0.01", flags.alpha));
  }
  const std::vector<std::string> texts =
      flags.rules.empty() ? std::vector<std::string>{default_compare_rule} : flags.rules;
  const auto rules = gate::parse_regression_rules(texts, "--rule");
  for (const auto& rule : rules) {
    if (rule.level) {
      throw usage_error(fmt::format("--rule '{}': compare takes rules without '@': it compares whole results; "
                                    "write '{}.{} {:+g}%'", rule.text, rule.metric, rule.statistic, rule.tolerance * 100));
    }
  }
  gate::regression_options options;
  options.alpha = flags.alpha;
  const auto report = gate::compare_tests(baseline.tests, candidate.tests, rules, options);
  return report_comparison(report, baseline, candidate, flags.json, flags.no_fail);
}

}  // namespace perfcheck::cli
