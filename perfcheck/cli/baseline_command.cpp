// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck baseline accept|show|diff`: reviewed baseline files (perfcheck/baseline/v1) that
// live in the repository and change only when someone accepts new figures.
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/compare_inputs.hpp"
#include "perfcheck/model/baseline_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/model/units.hpp"
#include "perfcheck/stats/descriptive.hpp"

namespace perfcheck::cli {
namespace {

namespace fs = std::filesystem;

struct baseline_flags {
  std::string file;
  std::string results;
  std::vector<std::string> tests;
  comparison_flags comparison;
};

// The newest result (by started_at) of every test in a results folder, by name.
std::map<std::string, run_result> latest_results(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw usage_error(fmt::format("--results {}: not a folder; give the folder that 'perfcheck run "
                                  "--output-dir' (or PERFCHECK_RESULTS_DIR of add_perf_test) fills",
                                  dir.string()));
  }
  std::map<std::string, run_result> out;
  for (const auto& file : json_files_in(dir)) {
    const boost::json::value json = read_json_file(file);
    if (schema_of(json) != result_schema) continue;
    run_result result = result_from_json(json, file.string());
    auto found = out.find(result.name);
    if (found == out.end() || result.started_at > found->second.started_at) {
      out[result.name] = std::move(result);
    }
  }
  if (out.empty()) {
    throw usage_error(fmt::format("--results {}: the folder holds no result files (perfcheck/result/v1); "
                                  "run the perf tests first (ctest -L perf, or 'perfcheck run "
                                  "--output-dir {}')", dir.string(), dir.string()));
  }
  return out;
}

std::string known_names(const std::map<std::string, run_result>& results) {
  std::string out;
  for (const auto& [name, r] : results) out += (out.empty() ? "" : ", ") + name;
  return out;
}

double median_wall(const std::vector<run_sample>& runs) {
  return stats::median(metric_columns(runs).at("wall"));
}

std::size_t run_count(const baseline_entry& e) {
  std::size_t n = e.runs.size();
  for (const auto& [level, runs] : e.points) n += runs.size();
  return n;
}

// "accepted NAME: 10 run(s), median wall 1.2 ms (was 1.1 ms, +9.1%)"; a sweep's entry is
// described by its levels and runs (each level's figures are in the file).
std::string accepted_line(const std::string& name, const baseline_entry& entry, const baseline_file& file) {
  if (!entry.points.empty()) {
    return fmt::format("accepted {}: {} level(s), {} run(s)", name, entry.points.size(), run_count(entry));
  }
  const double now = median_wall(entry.runs);
  std::string change = "new";
  if (const auto old = file.tests.find(name); old != file.tests.end() && old->second.points.empty()) {
    const double before = median_wall(old->second.runs);
    change = before > 0 ? fmt::format("was {}, {:+.1f}%", format_duration(before), (now / before - 1) * 100)
                        : fmt::format("was {}", format_duration(before));
  }
  return fmt::format("accepted {}: {} run(s), median wall {} ({})", name, entry.runs.size(),
                     format_duration(now), change);
}

int accept(const baseline_flags& f) {
  if (f.file.empty()) throw usage_error("baseline accept: --file BASELINE.json is required");
  const auto results = latest_results(f.results);
  std::vector<std::string> chosen;
  if (f.tests.empty()) {
    for (const auto& [name, r] : results) chosen.push_back(name);
  } else {
    for (const auto& name : f.tests) {
      if (!results.contains(name)) {
        throw usage_error(fmt::format("--test {}: no result of that test in {}; known tests: {}", name,
                                      f.results, known_names(results)));
      }
      if (std::find(chosen.begin(), chosen.end(), name) == chosen.end()) chosen.push_back(name);
    }
  }

  baseline_file file;
  const bool existed = fs::exists(f.file);
  if (existed) file = read_baseline_file(f.file);  // a damaged file is refused, never overwritten
  std::vector<std::string> lines;
  for (const auto& name : chosen) {
    const run_result& result = results.at(name);
    baseline_entry entry;
    try {
      entry = baseline_entry_from_result(result);
    } catch (const usage_error& e) {
      throw usage_error(fmt::format("{}; nothing was written (accept the other tests with --test NAME)", e.what()));
    }
    lines.push_back(accepted_line(name, entry, file));
    file.tests[name] = std::move(entry);
  }
  if (const auto parent = fs::path(f.file).parent_path(); !parent.empty()) fs::create_directories(parent);
  write_baseline_file(f.file, file);
  for (const auto& line : lines) std::printf("%s\n", line.c_str());
  std::printf("%s %s: %zu test(s); review and commit it\n", existed ? "updated" : "wrote", f.file.c_str(),
              file.tests.size());
  return exit_ok;
}

int show(const baseline_flags& f) {
  const baseline_file file = read_baseline_file(f.file);
  std::vector<std::array<std::string, 5>> rows{{"test", "runs", "median wall", "commit", "recorded"}};
  for (const auto& [name, e] : file.tests) {
    rows.push_back({name, std::to_string(run_count(e)),
                    e.points.empty() ? format_duration(median_wall(e.runs))
                                     : fmt::format("({} levels)", e.points.size()),
                    e.commit.empty() ? "-" : e.commit.substr(0, 12),
                    e.recorded_at.empty() ? "-" : e.recorded_at});
  }
  std::array<std::size_t, 5> width{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line = fmt::format("{:<{}}  {:>{}}  {:>{}}  {:<{}}  {}", row[0], width[0], row[1], width[1],
                                   row[2], width[2], row[3], width[3], row[4]);
    for (char& c : line) {
      if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    std::printf("%s\n", line.c_str());
  }
  std::printf("%zu test(s) in %s\n", file.tests.size(), f.file.c_str());
  return exit_ok;
}

int diff(const baseline_flags& f) {
  const comparison_side base = load_baseline_side(read_baseline_file(f.file), f.file);
  latest_results(f.results);  // the same clear error for a missing or empty folder
  const comparison_side candidate = load_path_side(f.results);
  return run_comparison(base, candidate, f.comparison);
}

}  // namespace

command_action add_baseline_command(CLI::App& app) {
  auto f = std::make_shared<baseline_flags>();
  CLI::App* sub = app.add_subcommand("baseline", "Accept, show or diff a reviewed baseline file (perfcheck/baseline/v1)");
  sub->description(
      "A baseline file keeps the accepted runs of each test in the repository, so a change of\n"
      "the figures is reviewed like a change of code. add_perf_test(... BASELINE file FILE)\n"
      "compares against it. See docs/baselines.md.");
  sub->require_subcommand(1);

  CLI::App* accept_cmd = sub->add_subcommand(
      "accept", "Write the latest results of a results folder into the baseline file (all tests, or --test)");
  accept_cmd->add_option("--results", f->results, "The results folder ('perfcheck run --output-dir', PERFCHECK_RESULTS_DIR)")
      ->type_name("DIR")->required();
  accept_cmd->add_option("--file", f->file, "The baseline file to create or update; other tests in it are kept")
      ->type_name("BASELINE.json")->required();
  accept_cmd->add_option("--test", f->tests, "Accept only this test, repeatable [default: every test in DIR]")
      ->type_name("NAME")->expected(1)->allow_extra_args(false)->take_all();

  CLI::App* show_cmd = sub->add_subcommand("show", "List the tests of a baseline file: runs, median wall time, commit, date");
  show_cmd->add_option("file", f->file, "The baseline file")->type_name("BASELINE.json")->required();

  CLI::App* diff_cmd = sub->add_subcommand(
      "diff", "Compare the results folder with the baseline file (the table of 'perfcheck compare')");
  diff_cmd->add_option("file", f->file, "The baseline file")->type_name("BASELINE.json")->required();
  diff_cmd->add_option("--results", f->results, "The results folder to compare with it")
      ->type_name("DIR")->required();
  add_comparison_options(diff_cmd, f->comparison);

  return [f, accept_cmd, show_cmd] {
    if (accept_cmd->parsed()) return accept(*f);
    if (show_cmd->parsed()) return show(*f);
    return diff(*f);
  };
}

}  // namespace perfcheck::cli
