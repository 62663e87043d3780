// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// PROFILE: the profile of a failed test, both sides, and the files beside its result.
#include <system_error>

#include <fmt/format.h>

#include "perfcheck/exec/process_executor.hpp"
#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/profile/flame_graph.hpp"
#include "perfcheck/run/environment.hpp"
#include "perfcheck/run/profiling.hpp"

namespace perfcheck::run {
namespace fs = std::filesystem;
namespace {

// The profilers' private folder, removed with it.
struct work_folder {
  fs::path path = make_temp_folder("perfcheck-profile");
  work_folder() = default;
  work_folder(const work_folder&) = delete;
  work_folder& operator=(const work_folder&) = delete;
  ~work_folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::string with_cut(std::string problem, const side_profile& side, std::string_view what) {
  if (side.cut) {
    problem += fmt::format("{}{}: perf script printed more than {} MiB; the profile holds its first part",
                           problem.empty() ? "" : "; ", what, max_script_bytes >> 20);
  }
  return problem;
}

// Writes the side's folded stacks and flame graph and adds their paths to info.files.
void write_side(const fs::path& dir, const std::string& stem, std::string_view label, const profile::folded_stacks& stacks,
                const std::string& test, profile_info& info) {
  const fs::path folded = dir / (stem + "." + std::string(label) + ".folded");
  write_file_atomic(folded, profile::folded_text(stacks));
  info.files.push_back(folded.string());
  profile::flame_options options;
  options.title = fmt::format("{} - {} ({})", test, label == "profile" ? "candidate" : "baseline", info.tool);
  const fs::path svg = dir / (stem + "." + std::string(label) + ".svg");
  write_file_atomic(svg, profile::flame_graph_svg(stacks, nullptr, options));
  info.files.push_back(svg.string());
}

}  // namespace

profile_info take_profile(const run_spec& spec, const profiler_probe& probe, int copies) {
  profile_info info;
  const profiler_choice choice = choose_profiler(spec.profile, probe);
  if (choice.tool.empty()) {
    info.not_measured = "no profile: " + choice.problem;
    return info;
  }
  info.tool = choice.tool;
  if (spec.output_dir.empty()) {
    info.not_measured = "no profile: the test has no output folder to keep it in (--output-dir)";
    return info;
  }
  const work_folder work;
  const side_profile candidate = profile_command(choice, exec::command_line_for(spec), work.path, copies);
  side_profile baseline;
  const bool has_baseline = spec.baseline == "command" && !spec.baseline_command.empty();
  if (has_baseline && candidate.problem.empty()) {
    exec::command_line line = exec::command_line_for(spec);
    line.argv = spec.baseline_command;
    baseline = profile_command(choice, std::move(line), work.path, copies);  // a level's round, as it ran
  }
  if (!candidate.problem.empty()) {
    info.not_measured = "no profile: " + candidate.problem;
    return info;
  }
  const fs::path dir = spec.output_dir;
  fs::create_directories(dir);
  const std::string stem = safe_file_stem(spec.name);
  info.samples = candidate.stacks.total;
  write_side(dir, stem, "profile", candidate.stacks, spec.name, info);
  info.warnings = unresolved_warnings(candidate.stacks, "command");
  info.not_measured = with_cut("", candidate, "the command");
  const bool differential = has_baseline && baseline.problem.empty();
  if (has_baseline && !differential) {
    info.not_measured += fmt::format("{}the baseline command was not profiled: {}",
                                     info.not_measured.empty() ? "" : "; ", baseline.problem);
  }
  if (differential) {
    info.baseline_samples = baseline.stacks.total;
    write_side(dir, stem, "baseline", baseline.stacks, spec.name, info);
    profile::flame_options options;
    options.title = fmt::format("{} - candidate against baseline ({}; red: share grew, blue: shrank)", spec.name, info.tool);
    const fs::path diff = dir / (stem + ".profile-diff.svg");
    write_file_atomic(diff, profile::flame_graph_svg(candidate.stacks, &baseline.stacks, options));
    info.files.push_back(diff.string());
    for (auto& w : unresolved_warnings(baseline.stacks, "baseline command")) info.warnings.push_back(std::move(w));
    info.not_measured = with_cut(info.not_measured, baseline, "the baseline command");
  }
  for (const auto& row : profile::share_table(candidate.stacks, differential ? &baseline.stacks : nullptr)) {
    info.rows.push_back({row.name, row.candidate, row.baseline, row.candidate_inclusive});
  }
  return info;
}

}  // namespace perfcheck::run
