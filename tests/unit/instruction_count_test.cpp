// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// COUNT instructions without processes: the readers of valgrind's and perf's output, the choice
// of source, the counted argv, the plan's checks, the skipped verdict and the regression rule on
// near-noiseless counts.
#define BOOST_TEST_MODULE instruction_count
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <functional>

#include "error_text.hpp"
#include "perfcheck/exec/instruction_count.hpp"
#include "perfcheck/gate/regression_rule.hpp"
#include "perfcheck/gate/verdict_rules.hpp"
#include "perfcheck/model/baseline_file.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/result.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/baseline.hpp"
#include "perfcheck/run/counting.hpp"
#include "perfcheck/run/runner.hpp"
#include "temp_folder.hpp"

using namespace perfcheck;
using namespace perfcheck::exec;
using perfcheck_test::error_text;

BOOST_TEST_DONT_PRINT_LOG_VALUE(perfcheck::exec::count_source)

namespace {

// A cachegrind output file as valgrind 3.19 writes it (cut to its frame).
std::string cachegrind_file(const std::string& summary) {
  return "desc: I1 cache:         32768 B, 64 B, 8-way associative\n"
         "cmd: /bin/true\nevents: Ir\nfl=./csu/libc-start.c\nfn=__libc_start_main\n128 2\n134 3\n" +
         summary + "\n";
}

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

counter_probe machine(bool hardware, bool perf, bool valgrind) {
  counter_probe p;
  p.hardware_instructions = hardware;
  p.hardware_problem = hardware ? "" : "perf_event_open(instructions:u): No such file or directory";
  if (perf) p.perf = "/usr/bin/perf";
  if (valgrind) p.valgrind = "/usr/bin/valgrind";
  return p;
}

run_spec counted_spec() {
  run_spec s;
  s.name = "count";
  s.command = {"pc_work", "1000"};
  s.count = {"instructions"};
  s.min_runs = s.max_runs = 5;
  return s;
}

// Counts around `level` with a spread of a few parts per million, as valgrind gives them.
std::vector<double> counts(double level, std::size_t n) {
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(level + static_cast<double>((i * 7) % 5));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_the_summary_of_cachegrind_and_the_totals_of_callgrind) {
  BOOST_TEST(parse_valgrind_counts(cachegrind_file("summary: 228087"), "cg.1") == 228087);
  // callgrind: several events, Ir not first, and a "totals:" line.
  BOOST_TEST(parse_valgrind_counts("events: Bc Ir Dr\nfn=main\n0 1 2 3\ntotals: 5 4096 7\n", "callgrind.out.1") == 4096);
}

BOOST_AUTO_TEST_CASE(a_garbled_valgrind_file_is_an_error_naming_it) {
  const auto cut = error_text([] { (void)parse_valgrind_counts(cachegrind_file(""), "/tmp/x/cg.42"); });
  BOOST_TEST(cut.find("/tmp/x/cg.42") != std::string::npos);
  BOOST_TEST(cut.find("no 'summary:' line") != std::string::npos);
  const auto other = error_text([] { (void)parse_valgrind_counts("hello\nworld\n", "cg.7"); });
  BOOST_TEST(other.find("cg.7: no 'events:' line with Ir") != std::string::npos);
  const auto bad = error_text([] { (void)parse_valgrind_counts(cachegrind_file("summary: 12x"), "cg.9"); });
  BOOST_TEST(bad.find("cg.9: the line 'summary: 12x' holds no instruction count") != std::string::npos);
  const auto negative = error_text([] { (void)parse_valgrind_counts(cachegrind_file("summary: -5"), "cg.9"); });
  BOOST_TEST(negative.find("holds no instruction count") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reads_perf_stat_csv_and_refuses_an_uncounted_event) {
  BOOST_TEST(parse_perf_stat("# started on Tue Dec  1\n\n123456789,,instructions:u,1000,100.00,,\n", "perf.txt") ==
             123456789);
  const auto unsupported = error_text([] {
    (void)parse_perf_stat("# started\n\n<not supported>,,instructions:u,0,100.00,,\n", "/tmp/c/perf.txt");
  });
  BOOST_TEST(unsupported.find("/tmp/c/perf.txt: perf counted no instructions ('<not supported>')") != std::string::npos);
  const auto empty = error_text([] { (void)parse_perf_stat("# started\n", "perf.txt"); });
  BOOST_TEST(empty.find("no instructions line") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_counts_of_a_tree_are_summed_over_every_process_file) {
  temp_folder folder("perfcheck-count");
  write(folder.file("cg.100"), cachegrind_file("summary: 1000"));
  write(folder.file("cg.101"), cachegrind_file("summary: 234"));
  write(folder.file("unrelated.txt"), "not a count");
  BOOST_TEST(read_counts(count_source::valgrind, folder.dir) == 1234);
  write(folder.file("cg.102"), "events: Ir\n");  // a process killed before it wrote its summary
  const auto cut = error_text([&] { (void)read_counts(count_source::valgrind, folder.dir); });
  BOOST_TEST(cut.find((folder.dir / "cg.102").string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_count_file_is_an_error_naming_what_is_missing) {
  temp_folder folder("perfcheck-count");
  const auto none = error_text([&] { (void)read_counts(count_source::valgrind, folder.dir); });
  BOOST_TEST(none.find("valgrind wrote no cg.<pid> file") != std::string::npos);
  const auto perf = error_text([&] { (void)read_counts(count_source::perf, folder.dir); });
  BOOST_TEST(perf.find((folder.dir / "perf.txt").string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_source_is_hardware_then_valgrind_then_none) {
  BOOST_TEST(choose_count_source(machine(true, true, true), "").source == count_source::perf);
  BOOST_TEST(choose_count_source(machine(true, false, true), "auto").source == count_source::valgrind);
  BOOST_TEST(choose_count_source(machine(false, true, true), "").source == count_source::valgrind);
  const auto none = choose_count_source(machine(false, true, false), "");
  BOOST_TEST(none.source == count_source::none);
  BOOST_TEST(none.reason.find("No such file or directory") != std::string::npos);
  BOOST_TEST(none.reason.find("install valgrind") != std::string::npos);
  BOOST_TEST(choose_count_source(machine(true, true, true), "none").source == count_source::none);
  BOOST_TEST(choose_count_source(machine(true, true, true), "valgrind").source == count_source::valgrind);
}

BOOST_AUTO_TEST_CASE(a_forced_source_the_machine_lacks_is_a_usage_error) {
  const auto perf = error_text<usage_error>([] { (void)choose_count_source(machine(false, true, true), "perf"); });
  BOOST_TEST(perf.find("PERFCHECK_COUNT_SOURCE=perf") != std::string::npos);
  BOOST_TEST(perf.find("no hardware counters") != std::string::npos);
  const auto valgrind = error_text<usage_error>([] { (void)choose_count_source(machine(true, true, false), "valgrind"); });
  BOOST_TEST(valgrind.find("valgrind is not in PATH") != std::string::npos);
  const auto unknown = error_text<usage_error>([] { (void)choose_count_source(machine(true, true, true), "pin"); });
  BOOST_TEST(unknown.find("'pin' is not a counter source; use auto, perf, valgrind or none") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_counted_argv_follows_children_into_one_file_per_process) {
  const count_choice valgrind{count_source::valgrind, "/usr/bin/valgrind", ""};
  const auto argv = counted_argv(valgrind, "/tmp/f", {"/bin/prog", "--x"});
  BOOST_TEST(argv.front() == "/usr/bin/valgrind");
  BOOST_TEST((std::find(argv.begin(), argv.end(), "--trace-children=yes") != argv.end()));
  BOOST_TEST((std::find(argv.begin(), argv.end(), "--cachegrind-out-file=/tmp/f/cg.%p") != argv.end()));
  BOOST_TEST(argv[argv.size() - 3] == "--");
  BOOST_TEST(argv.back() == "--x");
  const count_choice perf{count_source::perf, "/usr/bin/perf", ""};
  const auto p = counted_argv(perf, "/tmp/f", {"/bin/prog"});
  BOOST_TEST((std::find(p.begin(), p.end(), "instructions:u") != p.end()));
  BOOST_TEST((std::find(p.begin(), p.end(), "/tmp/f/perf.txt") != p.end()));
  BOOST_TEST((counted_argv({}, "/tmp/f", {"/bin/prog"}) == std::vector<std::string>{"/bin/prog"}));
}

BOOST_AUTO_TEST_CASE(instructions_are_a_column_only_when_every_run_was_counted) {
  std::vector<run_sample> runs(3);
  for (std::size_t i = 0; i < runs.size(); ++i) runs[i].instructions = 100 + static_cast<std::int64_t>(i);
  BOOST_TEST((metric_columns(runs).at("instructions") == std::vector<double>{100, 101, 102}));
  runs[2].instructions = 0;
  BOOST_TEST(!metric_columns(runs).contains("instructions"));
}

BOOST_AUTO_TEST_CASE(a_threshold_on_instructions_takes_millions) {
  const auto t = parse_threshold("instructions.median < 5M");
  BOOST_TEST(t.metric == "instructions");
  BOOST_TEST(t.limit == 5e6);
  BOOST_TEST(parse_threshold("instructions < 2.5k").limit == 2500);
  BOOST_TEST(parse_threshold("instructions < 1G").limit == 1e9);
}

BOOST_AUTO_TEST_CASE(a_counted_test_refuses_gates_on_the_counter_s_time) {
  run_spec s = counted_spec();
  s.thresholds = {"instructions.median < 5M", "wall.median < 1s"};
  const auto wall = error_text<usage_error>([&] { (void)compile_plan(s, {"perf.json"}); });
  BOOST_TEST(wall.find("'wall.median < 1s': a test with COUNT instructions gates instructions") != std::string::npos);
  BOOST_TEST(wall.find("second add_perf_test") != std::string::npos);
  s.thresholds = {"instructions.median < 5M"};
  s.regressions = {"cpu.median +5%"};
  BOOST_TEST(error_text<usage_error>([&] { (void)compile_plan(s, {"perf.json"}); }).find("'cpu.median +5%'") !=
             std::string::npos);
  s.regressions = {"instructions.median +0.5%"};
  BOOST_TEST(compile_plan(s, {"perf.json"}).regressions.size() == 1);
}

BOOST_AUTO_TEST_CASE(a_gate_on_instructions_needs_count) {
  run_spec s = counted_spec();
  s.count.clear();
  s.thresholds = {"instructions < 5M"};
  const auto text = error_text<usage_error>([&] { (void)compile_plan(s, {"perf.json"}); });
  BOOST_TEST(text.find("instructions are counted only with COUNT instructions") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_source_is_part_of_the_spec_hash) {
  run_spec a = counted_spec(), b = counted_spec();
  a.count_source = "valgrind";
  b.count_source = "perf";
  BOOST_TEST(spec_hash(a) != spec_hash(b));
  run_spec plain = counted_spec();
  plain.count.clear();
  BOOST_TEST(spec_hash(plain) != spec_hash(a));  // counted and timed runs are different series
}

BOOST_AUTO_TEST_CASE(uncounted_gates_are_skipped_never_passed) {
  run_spec s = counted_spec();
  s.count_source = "none";
  s.thresholds = {"instructions.median < 5M", "exit.failures == 0"};
  s.regressions = {"instructions.median +0.5%"};
  const test_plan plan = compile_plan(s, {"perf.json"});
  run_result r;
  r.runs.resize(5);
  for (auto& run : r.runs) {
    run.wall_ns = 1000;
    run.exit_code = 0;
  }
  run::note_counting(r, s);
  BOOST_TEST(r.metadata.at("instructions.source") == "none");
  run::summarize_runs(r);
  gate::apply_verdict(r, plan.thresholds, false, false);
  BOOST_TEST(to_string(r.outcome) == "skipped");
  BOOST_TEST(r.reasons.at(0) == "instructions.median < 5M: skipped, nothing on this machine counts instructions");
  BOOST_TEST(!r.thresholds.at(0).measured);
  run::note_skipped_rules(r, plan);
  BOOST_TEST(r.reasons.back() == "instructions.median +0.5%: skipped, nothing on this machine counts instructions");
  // A threshold that fails still fails: skipped never hides a failure.
  s.thresholds = {"instructions.median < 5M", "exit.failures == 0"};
  r.runs[0].exit_code = 1;
  gate::apply_verdict(r, compile_plan(s, {"perf.json"}).thresholds, false, false);
  BOOST_TEST(to_string(r.outcome) == "error");
}

BOOST_AUTO_TEST_CASE(counted_runs_record_their_source_and_set_up) {
  run_spec s = counted_spec();
  s.count_source = "valgrind";
  run_result r;
  run::note_counting(r, s);
  BOOST_TEST(r.metadata.at("instructions.source") == "valgrind");
  BOOST_TEST(r.metadata.at("instructions.setup").find("address randomization off") != std::string::npos);
  BOOST_TEST(r.warnings.at(0).find("not the command's") != std::string::npos);
  run_result plain;
  s.count.clear();
  run::note_counting(plain, s);
  BOOST_TEST(plain.metadata.empty());
}

// The median rule on counts with a few ppm of spread: Mann-Whitney with the Hodges-Lehmann
// interval, which for separated samples is the range of the pairwise ratios, a few ppm wide.
BOOST_AUTO_TEST_CASE(a_small_change_in_a_near_noiseless_count_is_decided_with_five_runs) {
  const std::vector<gate::regression_rule> rules{gate::parse_regression_rule("instructions.median +0.5%")};
  gate::regression_options options;
  options.alpha = 0.01;
  options.noise_floor = 0.03;  // a calibrated wall-time floor does not hold for counts
  const auto base = counts(2e6, 5);
  const auto slower = gate::evaluate_regressions(rules, {{"instructions", base}}, {{"instructions", counts(2e6 * 1.006, 5)}}, options);
  BOOST_TEST(to_string(slower.at(0).decision) == "regressed");
  BOOST_TEST(slower.at(0).change == 0.006, boost::test_tools::tolerance(1e-4));
  const auto same = gate::evaluate_regressions(rules, {{"instructions", base}}, {{"instructions", counts(2e6, 5)}}, options);
  BOOST_TEST(to_string(same.at(0).decision) == "pass");
  const auto within = gate::evaluate_regressions(rules, {{"instructions", base}}, {{"instructions", counts(2e6 * 1.004, 5)}}, options);
  BOOST_TEST(to_string(within.at(0).decision) == "pass");
}

// A baseline file accepted with another source is named, never compared (nor an error that
// blocks the series): the rules are left undecided with the reason.
BOOST_AUTO_TEST_CASE(a_baseline_counted_by_another_source_is_not_compared) {
  temp_folder folder("perfcheck-count");
  run_spec s = counted_spec();
  s.regressions = {"instructions.median +0.5%"};
  s.baseline = "file";
  s.baseline_file = folder.file("baseline.json").string();
  run_spec accepted = s;
  accepted.count_source = "perf";
  baseline_file file;
  baseline_entry entry;
  entry.spec_hash = spec_hash(accepted);
  entry.runs.resize(5);
  for (auto& run : entry.runs) {
    run.wall_ns = 1000;
    run.instructions = 2000000;
    run.exit_code = 0;
  }
  file.tests[s.name] = entry;
  write_baseline_file(s.baseline_file, file);
  s.count_source = "valgrind";
  const test_plan plan = compile_plan(s, {"perf.json"});
  run_context context;
  context.spec_hash = spec_hash(s);
  const std::function<std::string(const std::string&)> hash_with = [&](const std::string& source) {
    run_spec other = s;
    other.count_source = source;
    return spec_hash(other);
  };
  const auto prepared = run::prepare_regression(plan, context, nullptr, 200, &hash_with);
  BOOST_TEST_REQUIRE(prepared.has_value());
  BOOST_TEST(prepared->plan.not_comparable.find("counted instructions with perf, this run with valgrind") !=
             std::string::npos);
  BOOST_TEST(prepared->plan.baseline_columns.empty());
  run_result r;
  r.outcome = verdict::pass;
  BOOST_TEST(run::note_not_comparable(r, prepared->plan));
  BOOST_TEST(to_string(r.outcome) == "inconclusive");
  // Without the other source's hash, the same file is another command's: a usage error.
  BOOST_TEST(error_text<usage_error>([&] { (void)run::prepare_regression(plan, context, nullptr); })
                 .find("spec hash") != std::string::npos);
}
