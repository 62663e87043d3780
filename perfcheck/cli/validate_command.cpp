// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// `perfcheck validate`: checks spec files (structure, units, threshold expressions) without
// running anything, so that a typo fails the build instead of the nightly run.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "perfcheck/cli/commands.hpp"
#include "perfcheck/cli/console.hpp"
#include "perfcheck/cli/terminal_text.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/spec.hpp"
#include "perfcheck/plan/test_plan.hpp"

namespace perfcheck::cli {

std::size_t print_spec_errors(const std::vector<std::string>& files) {
  std::size_t bad = 0;
  for (const auto& file : files) {
    try {
      (void)compile_plan(read_spec_file(file), {file, false});
    } catch (const usage_error& e) {
      // Spec text (names, expressions, paths) reaches a terminal and, in the session fixture,
      // CTest's scan of the output.
      std::fprintf(stderr, "error: %s\n", escape_ctest_tags(terminal_safe_lines(e.what())).c_str());
      ++bad;
    }
  }
  return bad;
}

command_action add_validate_command(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand("validate", "Check spec files without running them");
  sub->description("Reads every FILE (perfcheck/spec/v1) and compiles it into a test plan, as\n"
                   "'perfcheck run' does before it starts anything: fields, units, threshold\n"
                   "expressions and regression rules, and whether the test can measure every\n"
                   "threshold (a soak trend needs a soak, a level needs a test with levels).\n"
                   "Prints one error per bad file; exit code 2 when any is bad.");
  sub->add_option("files", *files, "Spec files")->type_name("FILE...")->required();
  sub->add_flag("-q,--quiet", *quiet, "Print nothing when every file is valid");
  return [files, quiet] {
    const std::size_t bad = print_spec_errors(*files);
    if (bad == 0 && !*quiet) std::printf("%zu spec file(s) valid\n", files->size());
    return bad == 0 ? exit_ok : exit_usage;
  };
}

}  // namespace perfcheck::cli
