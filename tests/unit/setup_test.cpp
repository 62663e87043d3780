// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// SETUP, PREPARE and CLEANUP around the runs (fake executors and hooks: the order, pipelining
// off, CLEANUP on every path, per-level hooks in a sweep), their spec fields and errors, and the
// gates of one level against another (parsing, the plan's checks, evaluation, JSON).
#define BOOST_TEST_MODULE setup
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <stdexcept>

#include <boost/json.hpp>

#include "fake_executor.hpp"
#include "perfcheck/model/error.hpp"
#include "perfcheck/model/json_file.hpp"
#include "perfcheck/plan/level_comparison.hpp"
#include "perfcheck/plan/test_plan.hpp"
#include "perfcheck/run/hooks.hpp"
#include "perfcheck/run/runner.hpp"
#include "perfcheck/run/sweep.hpp"

using namespace perfcheck;
using strings = std::vector<std::string>;

namespace {

const spec_origin file{"specs/t.json", false};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const usage_error& e) {
    return e.what();
  }
  BOOST_FAIL("no usage_error was thrown");
  return {};
}

void expect_in(const std::string& text, const std::string& part) {
  BOOST_TEST(text.find(part) != std::string::npos, "'" << part << "' not in: " << text);
}

// Records every hook and run in one log, "<kind> <tag>"; a kind in `failing` throws as a failed
// hook does.
struct fake_hooks final : run::hook_runner {
  fake_hooks(strings& log, std::string tag, std::string failing = "") : log_(log), tag_(std::move(tag)), failing_(std::move(failing)) {}
  void run(run::hook_kind kind) override {
    const std::string name = run::to_string(kind);
    log_.push_back(name + " " + tag_);
    if (name == failing_) throw command_error(name + " command 'x' exited with status 1");
  }
  strings& log_;
  std::string tag_, failing_;
};

run_sample ok_sample(std::int64_t wall_ns) {
  run_sample s;
  s.wall_ns = wall_ns;
  s.exit_code = 0;
  return s;
}

run_spec one_point(int warmup, int runs) {
  run_spec s;
  s.name = "t";
  s.command = {"prog"};
  s.warmup = warmup;
  s.min_runs = s.max_runs = runs;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(prepare_runs_before_every_run_and_turns_pipelining_off) {
  strings log;
  auto inner = std::make_unique<test::fake_executor>([&](int) {
    log.push_back("run");
    return ok_sample(1'000'000);
  });
  test::fake_executor* seen = inner.get();
  auto hooks = std::make_shared<fake_hooks>(log, "t");
  const auto executor = run::with_prepare(std::move(inner), hooks);
  const run_result r = run::run_test(one_point(1, 3), *executor, {});
  BOOST_TEST(r.runs.size() == 3u);
  BOOST_TEST(log == (strings{"PREPARE t", "run", "PREPARE t", "run", "PREPARE t", "run", "PREPARE t", "run"}),
             boost::test_tools::per_element());
  // The run loop promised follow-ups; none reached the command's executor.
  BOOST_TEST(seen->follow_ups.empty());
  // Without PREPARE the same schedule is pipelined (the promise is what with_prepare drops).
  test::fake_executor plain(std::vector<run_sample>{ok_sample(1'000'000)});
  (void)run::run_test(one_point(1, 3), plain, {});
  BOOST_TEST(!plain.follow_ups.empty());
}

BOOST_AUTO_TEST_CASE(cleanup_runs_once_setup_succeeded_on_every_path) {
  strings log;
  fake_hooks hooks(log, "t");
  const run_result passed = run::around(hooks, [&] {
    log.push_back("runs");
    return run_result{};
  });
  BOOST_TEST(log == (strings{"SETUP t", "runs", "CLEANUP t"}), boost::test_tools::per_element());
  BOOST_TEST((passed.outcome == verdict::pass));

  log.clear();
  BOOST_CHECK_THROW(run::around(hooks, [&]() -> run_result { throw command_error("command not found: prog"); }),
                    command_error);
  BOOST_TEST(log == (strings{"SETUP t", "CLEANUP t"}), boost::test_tools::per_element());

  log.clear();
  fake_hooks failing_setup(log, "t", "SETUP");
  BOOST_CHECK_THROW(run::around(failing_setup, [&] {
    log.push_back("runs");
    return run_result{};
  }), command_error);
  BOOST_TEST(log == (strings{"SETUP t"}), boost::test_tools::per_element());  // no runs, no CLEANUP

  log.clear();
  fake_hooks failing_cleanup(log, "t", "CLEANUP");
  const run_result r = run::around(failing_cleanup, [] { return run_result{}; });
  BOOST_TEST((r.outcome == verdict::error));
  BOOST_TEST(r.reasons.size() == 1u);
  expect_in(r.reasons.front(), "CLEANUP command 'x' exited with status 1");
}

BOOST_AUTO_TEST_CASE(a_failing_run_still_gets_its_cleanup) {
  strings log;
  fake_hooks hooks(log, "t");
  test::fake_executor failing([&](int) {
    log.push_back("run");
    run_sample s = ok_sample(1'000'000);
    s.exit_code = 3;
    return s;
  });
  const run_result r = run::around(hooks, [&] { return run::run_test(one_point(0, 5), failing, {}); });
  BOOST_TEST((r.outcome == verdict::error));
  BOOST_TEST(log == (strings{"SETUP t", "run", "CLEANUP t"}), boost::test_tools::per_element());
}

namespace {

test_plan mode_plan(strings setup, strings thresholds = {}) {
  run_spec s;
  s.name = "t";
  s.command = {"prog", "{mode}"};
  s.parameters = {{"mode", {"cold", "warm"}}};
  s.warmup = 0;
  s.min_runs = s.max_runs = 2;
  s.setup = std::move(setup);
  s.thresholds = std::move(thresholds);
  s.seed = 5;
  return compile_plan(s, file);
}

// Fake levels whose runs log "run <mode>" and take 3 ms cold, 1 ms warm.
run::level_factory mode_levels(strings& log) {
  return [&log](const test_plan& p) {
    const std::string mode = p.spec.command.back();
    run::prepared_level level;
    level.executor = std::make_unique<test::fake_executor>([&log, mode](int) {
      log.push_back("run " + mode);
      return ok_sample(mode == "cold" ? 3'000'000 : 1'000'000);
    });
    return level;
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(setup_with_a_placeholder_runs_per_level_around_that_levels_runs) {
  const test_plan plan = mode_plan({"make_data", "{mode}"});
  BOOST_TEST(run::hooks_per_level(plan));
  BOOST_TEST(!run::hooks_per_level(mode_plan({"make_data"})));
  strings log;
  const run::hook_factory hooks = [&](const run_spec& s) {
    return std::make_unique<fake_hooks>(log, s.setup.back());  // the level's substituted argv
  };
  const run_result r = run::run_sweep(plan, mode_levels(log), {}, &hooks);
  BOOST_TEST(r.points.size() == 2u);
  for (const std::string mode : {"cold", "warm"}) {
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (log[i].ends_with(" " + mode)) at.push_back(i);
    }
    BOOST_TEST_REQUIRE(at.size() == 4u);  // SETUP, two runs, CLEANUP
    BOOST_TEST(log[at[0]] == "SETUP " + mode);
    BOOST_TEST(log[at[1]] == "run " + mode);
    BOOST_TEST(log[at[2]] == "run " + mode);
    BOOST_TEST(log[at[3]] == "CLEANUP " + mode);
  }
}

BOOST_AUTO_TEST_CASE(a_failing_level_cleanup_makes_that_level_an_error) {
  strings log;
  const run::hook_factory hooks = [&](const run_spec& s) {
    const std::string mode = s.setup.back();
    return std::make_unique<fake_hooks>(log, mode, mode == "warm" ? "CLEANUP" : "");
  };
  const run_result r = run::run_sweep(mode_plan({"make_data", "{mode}"}), mode_levels(log), {}, &hooks);
  BOOST_TEST((r.outcome == verdict::error));
  BOOST_TEST((r.points[0].outcome == verdict::pass));
  BOOST_TEST((r.points[1].outcome == verdict::error));
  expect_in(r.reasons.at(0), "mode=warm: CLEANUP command 'x' exited with status 1");
}

BOOST_AUTO_TEST_CASE(a_once_per_test_hook_spec_drops_environment_values_with_placeholders) {
  run_spec s = mode_plan({"make_data"}).spec;
  s.environment = {"A=1", "B={mode}"};
  const run_spec hook = run::test_hook_spec(compile_plan(s, file));
  BOOST_TEST(hook.environment == (strings{"A=1"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(hooks_are_spec_fields_substituted_per_level_and_checked) {
  run_spec s = mode_plan({"make_data", "--mode", "{mode}"}).spec;
  s.prepare = {"drop_cache", "{mode}"};
  s.cleanup = {"rm_data"};
  const run_spec back = spec_from_json(spec_to_json(s), "t.json");
  BOOST_TEST(back.setup == s.setup, boost::test_tools::per_element());
  BOOST_TEST(back.prepare == s.prepare, boost::test_tools::per_element());
  BOOST_TEST(back.cleanup == s.cleanup, boost::test_tools::per_element());
  const run_spec warm = spec_at(s, level{{"mode", "warm"}});
  BOOST_TEST(warm.setup == (strings{"make_data", "--mode", "warm"}), boost::test_tools::per_element());
  BOOST_TEST(warm.prepare == (strings{"drop_cache", "warm"}), boost::test_tools::per_element());
  // PREPARE changes what is measured: it is part of the spec hash; SETUP is not.
  run_spec other = s;
  other.prepare = {"drop_cache", "all"};
  BOOST_TEST(spec_hash(other) != spec_hash(s));
  other = s;
  other.setup = {"make_other_data"};
  BOOST_TEST(spec_hash(other) == spec_hash(s));

  run_spec empty = s;
  empty.prepare = {""};
  const std::string e = error_of([&] { validate(empty, "t.json"); });
  expect_in(e, "t.json: prepare: the program name is empty");
  run_spec unknown = s;
  unknown.cleanup = {"rm", "{size}"};
  const std::string u = error_of([&] { (void)compile_plan(unknown, file); });
  expect_in(u, "cleanup[1] '{size}': the placeholder {size} names no parameter (the parameters are mode)");
}

BOOST_AUTO_TEST_CASE(a_level_comparison_is_parsed_into_the_plan) {
  const test_plan plan = mode_plan({}, {"wall.median@mode=warm <= 60% wall.median@mode=cold", "rss.max < 1GiB"});
  BOOST_TEST(plan.thresholds.size() == 1u);
  BOOST_TEST_REQUIRE(plan.level_comparisons.size() == 1u);
  const level_comparison& c = plan.level_comparisons.front();
  BOOST_TEST(c.left.subject() == "wall.median@mode=warm");
  BOOST_TEST(c.right.subject() == "wall.median@mode=cold");
  BOOST_TEST((c.op == comparison::less_equal));
  BOOST_TEST(c.factor == 0.6);
  BOOST_TEST(!parse_level_comparison("wall.median@mode=warm < 3ms"));  // an ordinary threshold
}

BOOST_AUTO_TEST_CASE(bad_level_comparisons_name_the_test_and_the_fix) {
  const auto error = [](strings thresholds) {
    return error_of([&] { (void)mode_plan({}, std::move(thresholds)); });
  };
  const std::string missing = error({"wall.median@mode=hot <= 60% wall.median@mode=cold"});
  expect_in(missing, "specs/t.json: test 't': threshold 'wall.median@mode=hot <= 60% wall.median@mode=cold'");
  expect_in(missing, "the test has no level mode=hot (the values of mode are cold, warm)");
  expect_in(error({"wall.median@mode=cold <= 60% wall.median@mode=cold"}), "both sides are the level mode=cold");
  expect_in(error({"wall.median@mode=warm <= 60% rss.max@mode=cold"}), "wall.median@mode=warm is a duration but rss.max@mode=cold is a size");
  expect_in(error({"wall.median <= 60% wall.median@mode=cold"}), "'wall.median' names no level");
  expect_in(error({"wall.median@mode=warm <= 0% wall.median@mode=cold"}), "above 0%");
  run_spec single = one_point(0, 2);
  single.thresholds = {"wall.median@mode=warm <= 60% wall.median@mode=cold"};
  expect_in(error_of([&] { (void)compile_plan(single, file); }), "it measures one point");
}

BOOST_AUTO_TEST_CASE(a_level_comparison_is_evaluated_after_the_sweep_with_both_figures) {
  strings log;
  const run_result pass = run::run_sweep(
      mode_plan({}, {"wall.median@mode=warm <= 60% wall.median@mode=cold"}), mode_levels(log), {});
  BOOST_TEST((pass.outcome == verdict::pass));
  BOOST_TEST_REQUIRE(pass.thresholds.size() == 1u);
  const threshold_outcome& t = pass.thresholds.front();
  const double warm = pass.points[1].summary.at("wall").median, cold = pass.points[0].summary.at("wall").median;
  BOOST_TEST(t.value == warm / cold);
  BOOST_TEST(t.left_value == warm);
  BOOST_TEST(t.right_value == cold);
  BOOST_TEST(t.ok);
  BOOST_TEST(t.at == "mode=warm");
  BOOST_TEST(t.versus == "mode=cold");
  // In the result file and back, with the figures.
  const boost::json::value json = threshold_outcome_to_json(t);
  BOOST_TEST((threshold_outcome_from_json(json_reader(json, "r.json")) == t));

  const run_result fail = run::run_sweep(
      mode_plan({}, {"wall.median@mode=cold <= 60% wall.median@mode=warm"}), mode_levels(log), {});
  BOOST_TEST((fail.outcome == verdict::failed));
  BOOST_TEST_REQUIRE(fail.reasons.size() == 1u);
  expect_in(fail.reasons.front(), "wall.median@mode=cold <= 60% wall.median@mode=warm: measured 300%");
  expect_in(fail.reasons.front(), "3.00 ms at mode=cold against 1.00 ms at mode=warm");
}
